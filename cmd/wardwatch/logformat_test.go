package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/configs"
)

// TestLogFormats: --log.format logfmt|json write promslog-style lines
// (time, level, source, msg, then the fields in order); console is an
// alias of logfmt; the level filters.
func TestLogFormats(t *testing.T) {
	logTo := func(format, level string) string {
		var b bytes.Buffer
		log, err := newLoggerTo(configs.LogConfig{Level: level, Format: format}, &b)
		if err != nil {
			t.Fatal(err)
		}
		log.Debug("hidden at info")
		log.Named("web").With(zap.String("iface", "span 0")).Info("capturing",
			zap.Strings("interfaces", []string{"eth1", "eth2"}), zap.Duration("poll", 100*time.Millisecond),
			zap.Error(errors.New("no such host")), zap.Int("workers", 2))
		return b.String()
	}
	logfmt := logTo("logfmt", "info")
	re := regexp.MustCompile(`^time=\S+ level=INFO source=logformat_test\.go:\d+ msg=capturing iface="span 0" logger=web interfaces="?\[eth1 eth2\]"? poll=100ms error="no such host" workers=2\n$`)
	if !re.MatchString(logfmt) {
		t.Errorf("logfmt:\n%s", logfmt)
	}
	if console := logTo("console", "info"); !re.MatchString(console) {
		t.Errorf("console (alias of logfmt):\n%s", console)
	}
	if debug := logTo("logfmt", "debug"); !strings.Contains(debug, "level=DEBUG") {
		t.Errorf("log.level debug:\n%s", debug)
	}

	var line map[string]any
	js := logTo("json", "info")
	if err := json.Unmarshal([]byte(js), &line); err != nil {
		t.Fatalf("json: %v\n%s", err, js)
	}
	for k, v := range map[string]any{"level": "INFO", "msg": "capturing", "logger": "web", "iface": "span 0", "poll": "100ms",
		"error": "no such host", "workers": 2.0} {
		if line[k] != v {
			t.Errorf("json %s = %v, want %v\n%s", k, line[k], v, js)
		}
	}
	if _, err := newLoggerTo(configs.LogConfig{Level: "info", Format: "xml"}, &bytes.Buffer{}); err == nil {
		t.Error("log format xml accepted")
	}
}
