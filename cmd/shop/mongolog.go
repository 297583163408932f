package main

import (
	"fmt"
	"os"

	"github.com/order-saga/shop/internal/mongodb"
)

// commandLogVar names a file to which the services append each MongoDB data command as a JSON line
// (mongodb.WithCommandLog): the write-count test reads it to count what one order costs the store.
const commandLogVar = "MONGO_COMMAND_LOG"

// mongoOptions are the options of the services' MongoDB clients. The log file stays open for the
// life of the process, as the client does.
func mongoOptions() ([]mongodb.Option, error) {
	path := os.Getenv(commandLogVar)
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", commandLogVar, err)
	}
	return []mongodb.Option{mongodb.WithCommandLog(f)}, nil
}
