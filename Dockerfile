# Multi-stage build of the project's one binary; every service of docker-compose.yml runs it.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/shop ./cmd/shop

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/shop /shop
ENTRYPOINT ["/shop"]
