package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/wardwatch/wardwatch/configs"
)

// Log formats, as the Prometheus tools name them (--log.format
// logfmt|json, prometheus/common/promslog). "console", the name of the
// human-readable format before, is accepted as an alias of logfmt.
const (
	logFormatLogfmt  = "logfmt"
	logFormatJSON    = "json"
	logFormatConsole = "console"
)

// newLogger builds the daemon's logger: the packages log through zap, and
// the lines are written by log/slog's text (logfmt) or JSON handler with
// promslog's conventions, so a sensor's log looks like a Prometheus
// exporter's:
//
//	time=2026-12-02T15:04:05.000Z level=INFO source=run.go:142 msg=capturing interfaces=[eth1]
func newLogger(cfg configs.LogConfig) (*zap.Logger, error) {
	return newLoggerTo(cfg, stderrWriter{})
}

// stderrWriter writes to the current os.Stderr (tests may swap it).
type stderrWriter struct{}

func (stderrWriter) Write(p []byte) (int, error) { return os.Stderr.Write(p) }

func newLoggerTo(cfg configs.LogConfig, w io.Writer) (*zap.Logger, error) {
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(cfg.Level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", cfg.Level, err)
	}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true, ReplaceAttr: promslogAttr}
	var h slog.Handler
	switch cfg.Format {
	case logFormatLogfmt, logFormatConsole, "":
		h = slog.NewTextHandler(w, opts)
	case logFormatJSON:
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("log format %q: want logfmt or json", cfg.Format)
	}
	core := &slogCore{LevelEnabler: zap.NewAtomicLevelAt(lvl), h: h}
	return zap.New(core, zap.AddCaller(), zap.ErrorOutput(zapcore.AddSync(w))), nil
}

// promslogAttr is promslog's ReplaceAttr: the source as file:line and
// durations as Go duration strings.
func promslogAttr(_ []string, a slog.Attr) slog.Attr {
	if src, ok := a.Value.Any().(*slog.Source); ok && a.Key == slog.SourceKey {
		if src.File == "" { // no caller recorded (e.g. logs bridged from exporter-toolkit)
			return slog.Attr{}
		}
		a.Value = slog.StringValue(filepath.Base(src.File) + ":" + strconv.Itoa(src.Line))
	}
	if d, ok := a.Value.Any().(time.Duration); ok {
		a.Value = slog.StringValue(d.String())
	}
	return a
}

// slogCore is a zapcore.Core that hands every entry to a slog.Handler.
type slogCore struct {
	zapcore.LevelEnabler
	h slog.Handler
}

func (c *slogCore) With(fields []zapcore.Field) zapcore.Core {
	return &slogCore{LevelEnabler: c.LevelEnabler, h: c.h.WithAttrs(slogAttrs(fields))}
}

func (c *slogCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *slogCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	r := slog.NewRecord(e.Time, slogLevel(e.Level), e.Message, e.Caller.PC)
	if e.LoggerName != "" {
		r.AddAttrs(slog.String("logger", e.LoggerName))
	}
	r.AddAttrs(slogAttrs(fields)...)
	if e.Stack != "" {
		r.AddAttrs(slog.String("stack", e.Stack))
	}
	return c.h.Handle(context.Background(), r)
}

func (c *slogCore) Sync() error { return nil }

func slogLevel(l zapcore.Level) slog.Level {
	switch {
	case l <= zapcore.DebugLevel:
		return slog.LevelDebug
	case l == zapcore.InfoLevel:
		return slog.LevelInfo
	case l == zapcore.WarnLevel:
		return slog.LevelWarn
	default:
		return slog.LevelError
	}
}

// slogAttrs converts zap fields, in order, with zap's own encoding of each
// value (errors as their message, arrays as slices, ...).
func slogAttrs(fields []zapcore.Field) []slog.Attr {
	if len(fields) == 0 {
		return nil
	}
	enc := zapcore.NewMapObjectEncoder()
	attrs := make([]slog.Attr, 0, len(fields))
	for _, f := range fields {
		if f.Type == zapcore.SkipType || f.Type == zapcore.NamespaceType {
			continue
		}
		f.AddTo(enc)
		for _, k := range []string{f.Key, f.Key + "Verbose"} { // zap.Error adds "errorVerbose" for rich errors
			if v, ok := enc.Fields[k]; ok {
				if k != f.Key {
					continue // the message is enough on one line
				}
				attrs = append(attrs, slog.Any(k, v))
			}
			delete(enc.Fields, k)
		}
	}
	return attrs
}
