# Multi-stage build of the project's one binary; every project service of docker-compose.yml
# (inventory, orders, payments, projector) runs this image with its subcommand.
# deploy/composetest parses this file and runs the build stage's `go build` on the host (make compose-check).
FROM golang:1.26 AS build
WORKDIR /src
# Modules first: a change of code alone does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/shop ./cmd/shop

# Alpine rather than distroless: compose's health checks need a client for GET /readyz (busybox wget),
# and the binary has no health subcommand of its own.
FROM alpine:3.22
RUN apk add --no-cache ca-certificates && adduser -D -H -u 10001 shop
COPY --from=build /out/shop /usr/local/bin/shop
USER shop
# inventory, orders, the payment sandbox, and the projector's ops endpoints (deploy/k8stest checks
# that every containerPort of the Kubernetes manifests is one of these).
EXPOSE 3000 3002 3004 3006
ENTRYPOINT ["/usr/local/bin/shop"]
