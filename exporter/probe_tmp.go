package exporter
import (
 _ "github.com/prometheus/client_golang/prometheus"
 _ "github.com/prometheus/exporter-toolkit/web"
 _ "go.uber.org/zap/exp/zapslog"
)

