package configs

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/store/central"
)

// CentralConfig is the central: section: pushing this sensor's inventory to
// a central PostgreSQL database (package store/central). An empty DSN
// pushes nothing.
type CentralConfig struct {
	// DSN is the central database as pgx parses it (checked when the
	// push starts; Validate only rejects a password in it): "host=... port=5432
	// dbname=wardwatch user=sensor sslmode=verify-full sslrootcert=..." or
	// a postgres:// URL. It must not hold the password.
	DSN string `yaml:"dsn"`
	// PasswordFile holds the password (first line). "" uses PGPASSFILE or
	// ~/.pgpass, or no password.
	PasswordFile string `yaml:"password_file"`
	// Sensor names this sensor in the central database. Required with a
	// DSN; at most 128 bytes, no control characters.
	Sensor string `yaml:"sensor"`
	// Site names where the sensor is. Required with a DSN; like Sensor.
	Site string `yaml:"site"`
	// BatchSize is the most rows per central transaction (1..100000).
	BatchSize int `yaml:"batch_size"`
	// Interval is the time between pushes once caught up (1s..1h).
	Interval time.Duration `yaml:"interval"`
}

func defaultCentral() CentralConfig {
	return CentralConfig{BatchSize: central.DefaultBatchSize, Interval: central.DefaultInterval}
}

// dsnPassword finds a password in a keyword/value DSN.
var dsnPassword = regexp.MustCompile(`(^|\s)password\s*=`)

func (c *CentralConfig) validate(v *validator) {
	if c.DSN != "" {
		if hasPassword(c.DSN) {
			v.add("central.dsn", "(redacted)",
				"holds a password: put it in a file only the wardwatch user can read and set central.password_file")
		} else if isURL(c.DSN) {
			if _, err := url.Parse(c.DSN); err != nil {
				v.add("central.dsn", c.DSN, fmt.Sprintf("%q is not a valid URL: %v", c.DSN, errors.Unwrap(err)))
			}
		}
		for _, f := range []struct{ path, val string }{{"central.sensor", c.Sensor}, {"central.site", c.Site}} {
			switch {
			case f.val == "":
				v.add(f.path, f.val, "must be set when central.dsn is (it stamps every row pushed)")
			case len(f.val) > 128 || strings.ContainsFunc(f.val, func(r rune) bool { return r < 0x20 || r == 0x7f }):
				v.add(f.path, f.val, fmt.Sprintf("%q: at most 128 bytes, no control characters", f.val))
			}
		}
	}
	v.intRange("central.batch_size", c.BatchSize, 1, 100000)
	v.durRange("central.interval", c.Interval, time.Second, time.Hour, "1s..1h")
}

func isURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// hasPassword reports whether a DSN (URL or keyword/value) holds a password.
func hasPassword(dsn string) bool {
	if isURL(dsn) {
		u, err := url.Parse(dsn)
		if err != nil {
			return strings.Contains(dsn, "@") // unparsable: assume the worst if it has userinfo
		}
		if _, set := u.User.Password(); set {
			return true
		}
		return u.Query().Has("password")
	}
	return dsnPassword.MatchString(dsn)
}
