package config_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/config"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		check   func(t *testing.T, c config.Config)
		wantErr string
	}{
		{
			name: "defaults point at the local stack",
			vars: map[string]string{},
			check: func(t *testing.T, c config.Config) {
				require.Equal(t, ":3000", c.InventoryAddr)
				require.Equal(t, ":3002", c.OrdersAddr)
				require.Equal(t, "mongodb://127.0.0.1:27017/", c.MongoURI)
				require.Equal(t, "127.0.0.1:7233", c.TemporalAddress)
				require.Equal(t, "amqp://guest:guest@127.0.0.1:5672/", c.RabbitMQURL)
				require.Equal(t, "ecommerce.events", c.EventsExchange)
				require.Equal(t, slog.LevelInfo, c.LogLevel)
				require.Equal(t, 15*time.Second, c.ShutdownTimeout)
				require.Equal(t, 24*time.Hour, c.IdempotencyKeyLifetime)
				require.Equal(t, 15*time.Second, c.MetricsPollInterval)
			},
		},
		{
			name: "variables override defaults",
			vars: map[string]string{"MONGO_URI": "mongodb://db:27017/", "LOG_LEVEL": "debug", "SHUTDOWN_TIMEOUT": "3s"},
			check: func(t *testing.T, c config.Config) {
				require.Equal(t, "mongodb://db:27017/", c.MongoURI)
				require.Equal(t, slog.LevelDebug, c.LogLevel)
				require.Equal(t, 3*time.Second, c.ShutdownTimeout)
			},
		},
		{name: "bad duration names the variable", vars: map[string]string{"SHUTDOWN_TIMEOUT": "soon"}, wantErr: "SHUTDOWN_TIMEOUT"},
		{name: "bad level names the variable", vars: map[string]string{"LOG_LEVEL": "loud"}, wantErr: "LOG_LEVEL"},
		{name: "a poll interval must be positive", vars: map[string]string{"METRICS_POLL_INTERVAL": "0s"}, wantErr: "METRICS_POLL_INTERVAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Parse(tt.vars)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}
