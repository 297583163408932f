// Package domain holds the system's types and the rules they guard: money, products, the stock
// ledger's movements, orders and their status machine. It does no I/O and imports only the standard
// library, so every rule here is tested without a server.
package domain
