package k8stest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	base    = "deploy/k8s/base"
	example = "deploy/k8s/overlays/example"
)

// TestChecksCatchBreakage breaks a copy of the manifests (or of a file they must agree with) one way
// at a time, renders it and requires the checks to name the fault: each check can fail, and fails for
// the reason it is there.
func TestChecksCatchBreakage(t *testing.T) {
	tests := []struct {
		name     string
		target   string // the kustomization rendered
		file     string // the file broken: its first `old` becomes `new`
		old, new string
		want     string // in the render's error or one of the problems
	}{
		// Strict decoding into k8s.io/api types.
		{"misspelt field", base, "deploy/k8s/base/shop-pod.yaml", "timeoutSeconds: 4", "timeoutSecond: 4", `unknown field "spec.template.spec.containers[0].readinessProbe.timeoutSecond"`},
		{"field of the wrong type", base, "deploy/k8s/base/payments.yaml", "replicas: 1", "replicas: one", "does not decode strictly"},
		{"unknown kind", base, "deploy/k8s/base/projector.yaml", "apiVersion: policy/v1\nkind: PodDisruptionBudget",
			"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget", "Ingress"},

		// Roles and image.
		{"misspelt subcommand", base, "deploy/k8s/base/orders.yaml", "args: [orders, -worker=false]", "args: [order, -worker=false]", `"order" is not a subcommand`},
		{"unknown flag", base, "deploy/k8s/base/orders.yaml", "args: [orders, -worker=false]", "args: [orders, -workers=false]", "flag provided but not defined: -workers"},
		{"no orders worker", base, "deploy/k8s/base/orders.yaml", "args: [orders, -api=false]", "args: [orders, -worker=false]", "no Deployment runs orders worker"},
		{"command replaces the entrypoint", base, "deploy/k8s/base/payments.yaml", "args: [payments]", "command: [/usr/local/bin/shop]\n          args: [payments]", "replaces the image's ENTRYPOINT"},
		{"image without a tag", example, "deploy/k8s/overlays/example/kustomization.yaml", `newTag: "1.0.0"`, "newTag: latest", "has no version tag"},
		{"another image than compose's", base, "docker-compose.yml", "image: order-saga/shop:local", "image: order-saga/shop:v2", `want "order-saga/shop:v2"`},

		// Ports.
		{"listen address off the container port", base, "deploy/k8s/base/config.env", "ORDERS_ADDR=:3002", "ORDERS_ADDR=:3012", "containerPort http is 3002 but shop orders listens on 3012"},
		{"port the Dockerfile does not expose", base, "Dockerfile", "EXPOSE 3000 3002 3004 3006", "EXPOSE 3000 3002 3004", "containerPort 3006 is not EXPOSEd"},
		{"scrape annotation on another port", base, "deploy/k8s/base/projector.yaml", `prometheus.io/port: "3006"`, `prometheus.io/port: "3060"`, `prometheus.io/port "3060"`},
		{"scrape path not served", base, "deploy/k8s/base/payments.yaml", "prometheus.io/path: /metrics", "prometheus.io/path: /prometheus", `prometheus.io/path "/prometheus" is not served`},

		// Probes.
		{"readiness path not served", base, "deploy/k8s/base/shop-pod.yaml", "path: /readyz", "path: /ready", `readinessProbe path "/ready" answers 404`},
		{"readiness that ignores dependencies", base, "deploy/k8s/base/shop-pod.yaml", "path: /readyz", "path: /healthz", `readinessProbe path "/healthz" answers 200 with dependencies up and 200 with one down`},
		{"liveness on readiness", base, "deploy/k8s/base/shop-pod.yaml", "httpGet: {path: /healthz, port: http}\n            periodSeconds: 10", "httpGet: {path: /readyz, port: http}\n            periodSeconds: 10",
			`livenessProbe path "/readyz" answers 200 with dependencies up and 503 with one down`},
		{"probe on another port", base, "deploy/k8s/base/shop-pod.yaml", "{path: /readyz, port: http}", "{path: /readyz, port: 8080}", "readinessProbe asks port 8080"},
		{"readiness timeout within the check's own bound", base, "deploy/k8s/base/shop-pod.yaml", "timeoutSeconds: 4", "timeoutSeconds: 3", "/readyz may take up to 3s"},
		{"startup shorter than STARTUP_TIMEOUT", base, "deploy/k8s/base/config.env", "STARTUP_TIMEOUT=60s", "STARTUP_TIMEOUT=90s", "the startup probe gives up after 1m20s"},
		{"no startup probe", base, "deploy/k8s/base/shop-pod.yaml", "          startupProbe:\n            httpGet: {path: /healthz, port: http}\n", "          startupProbe:\n            exec: {command: [wget, -q, http://127.0.0.1:3000/healthz]}\n", "no HTTP startupProbe"},

		// Resources and security.
		{"no limits", base, "deploy/k8s/base/payments.yaml", "            limits: {cpu: 500m, memory: 256Mi}\n", "", "Deployment payments: cpu needs a request and a limit"},
		{"request above limit", base, "deploy/k8s/base/payments.yaml", "requests: {cpu: 50m", "requests: {cpu: 600m", "cpu request 600m is above its limit 500m"},
		{"memory limit too small", base, "deploy/k8s/base/inventory.yaml", `limits: {cpu: "1", memory: 256Mi}`, `limits: {cpu: "1", memory: 100Mi}`, "memory limit 100Mi is below"},
		{"writable root filesystem", base, "deploy/k8s/base/shop-pod.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "readOnlyRootFilesystem is not true"},
		{"root allowed", base, "deploy/k8s/base/shop-pod.yaml", "runAsNonRoot: true", "runAsNonRoot: false", "runAsNonRoot is not true"},
		{"another uid than the Dockerfile's", base, "Dockerfile", "-u 10001 shop", "-u 10002 shop", "the Dockerfile's user is uid 10002"},
		{"capabilities kept", base, "deploy/k8s/base/shop-pod.yaml", "drop: [ALL]", "drop: [NET_RAW]", "capabilities must drop ALL"},
		{"privilege escalation", base, "deploy/k8s/base/shop-pod.yaml", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", "allowPrivilegeEscalation is not false"},
		{"no seccomp profile", base, "deploy/k8s/base/shop-pod.yaml", "type: RuntimeDefault", "type: Unconfined", "no RuntimeDefault seccomp profile"},
		{"API token mounted", base, "deploy/k8s/base/shop-pod.yaml", "automountServiceAccountToken: false", "automountServiceAccountToken: true", "automountServiceAccountToken is not false"},

		// Termination.
		{"grace shorter than the shutdown", base, "deploy/k8s/base/config.env", "SHUTDOWN_TIMEOUT=15s", "SHUTDOWN_TIMEOUT=25s", "terminationGracePeriodSeconds 35s < preStop 5s + SHUTDOWN_TIMEOUT 25s + the worker's stop 10s"},
		{"default grace", base, "deploy/k8s/base/shop-pod.yaml", "terminationGracePeriodSeconds: 35", "terminationGracePeriodSeconds: 20", "terminationGracePeriodSeconds 20s < preStop 5s + SHUTDOWN_TIMEOUT 15s"},
		{"no preStop pause", base, "deploy/k8s/base/shop-pod.yaml", "            preStop:\n              sleep:\n                seconds: 5\n", "            postStart:\n              sleep:\n                seconds: 1\n", "behind a Service but no preStop sleep"},

		// Selectors, disruption budgets, Services.
		{"selector off the template", base, "deploy/k8s/base/projector.yaml", "      labels:\n        app.kubernetes.io/name: shop\n        app.kubernetes.io/component: projector",
			"      labels:\n        app.kubernetes.io/name: shop\n        app.kubernetes.io/component: projektor", "Deployment projector: its selector does not match"},
		{"no budget", base, "deploy/k8s/base/payments.yaml", "  name: payments\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: shop\n      app.kubernetes.io/component: payments",
			"  name: payments\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: shop\n      app.kubernetes.io/component: paymentz", "Deployment payments: selected by 0 PodDisruptionBudgets"},
		{"two budgets", base, "deploy/k8s/base/projector.yaml", "apiVersion: policy/v1\n", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: all\nspec:\n" +
			"  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: shop\n---\napiVersion: policy/v1\n", "selected by 2 PodDisruptionBudgets"},
		{"budget that blocks drains", base, "deploy/k8s/base/projector.yaml", "maxUnavailable: 1", "maxUnavailable: 0", "lets no pod go"},
		{"Service on a worker", base, "deploy/k8s/base/orders.yaml", "  name: orders\nspec:\n  selector:\n    app.kubernetes.io/name: shop\n    app.kubernetes.io/component: orders-api",
			"  name: orders\nspec:\n  selector:\n    app.kubernetes.io/name: shop\n    app.kubernetes.io/component: orders-worker", "Service orders selects Deployment orders-worker, which serves no API"},
		{"Service port off the API's", base, "deploy/k8s/base/payments.yaml", "{name: http, port: 3004, targetPort: http}", "{name: http, port: 3005, targetPort: http}", "Service payments has no port 3004"},
		{"Service target not declared", base, "deploy/k8s/base/inventory.yaml", "targetPort: http", "targetPort: metrics", "targets metrics, which Deployment inventory-api does not declare"},

		// Configuration.
		{"misspelt variable", base, "deploy/k8s/base/inventory.yaml", "- name: MONGO_URI", "- name: MONGO_URL", "MONGO_URL (Secret shop-secrets key MONGO_URI) is not a variable internal/config reads"},
		{"misspelt ConfigMap key", base, "deploy/k8s/base/config.env", "PROJECTOR_PREFETCH=64", "PROJECTOR_PREFECH=64", "PROJECTOR_PREFECH (ConfigMap"},
		{"value internal/config refuses", base, "deploy/k8s/base/config.env", "STEP_TIMEOUT=5m", "STEP_TIMEOUT=5 minutes", "STEP_TIMEOUT: unable to parse duration"},
		{"README variable not given", base, "deploy/k8s/base/config.env", "PARK_DEADLINE=72h\n", "", "PARK_DEADLINE (README's configuration table) is given to no pod"},
		{"README variable config does not read", base, "README.md", "| `LOG_LEVEL` |", "| `LOG_FORMAT` | `json` | x |\n| `LOG_LEVEL` |", "LOG_FORMAT (README's configuration table) is given to no pod"},
		{"missing ConfigMap", base, "deploy/k8s/base/shop-pod.yaml", "name: shop-config", "name: shop-configuration", "envFrom ConfigMap shop-configuration is not rendered"},
		{"projector without Elasticsearch", base, "deploy/k8s/base/projector.yaml", "            - name: ELASTICSEARCH_URL\n              valueFrom: {secretKeyRef: {name: shop-secrets, key: ELASTICSEARCH_URL}}\n", "", "shop projector needs ELASTICSEARCH_URL"},
		{"admin token in plain sight", base, "deploy/k8s/base/orders.yaml", "valueFrom: {secretKeyRef: {name: shop-secrets, key: ADMIN_TOKEN}}", "value: hunter2", "ADMIN_TOKEN carries credentials but comes from env, not a Secret"},
		{"Temporal on loopback", base, "deploy/k8s/base/config.env", "TEMPORAL_ADDRESS=temporal-frontend.temporal:7233", "TEMPORAL_ADDRESS=127.0.0.1:7233", "TEMPORAL_ADDRESS: 127.0.0.1:7233 is the pod itself"},
		{"Temporal not given", base, "deploy/k8s/base/config.env", "TEMPORAL_ADDRESS=temporal-frontend.temporal:7233\n", "", "needs TEMPORAL_ADDRESS, which is not given"},
		{"Temporal without a port", example, "deploy/k8s/overlays/example/config.env", "TEMPORAL_ADDRESS=temporal-frontend.temporal.svc.cluster.local:7233", "TEMPORAL_ADDRESS=temporal-frontend.temporal.svc.cluster.local", "is no host:port"},
		{"payments URL to no Service", base, "deploy/k8s/base/config.env", "PAYMENTS_URL=http://payments:3004", "PAYMENTS_URL=http://payment:3004", "no Service payment is rendered"},
		{"inventory URL to the payment sandbox", base, "deploy/k8s/base/config.env", "INVENTORY_URL=http://inventory:3000", "INVENTORY_URL=http://payments:3004", "Service payments does not send to the inventory process"},
		{"Mongo without a replica set", example, "deploy/k8s/overlays/example/secrets.env", "?replicaSet=rs0&authSource=admin", "?authSource=admin", "names no replicaSet"},
		{"Mongo URI the driver refuses", example, "deploy/k8s/overlays/example/secrets.env", "MONGO_URI=mongodb://", "MONGO_URI=mongo://", `MONGO_URI: error parsing uri: scheme must be "mongodb" or "mongodb+srv"`},
		{"RabbitMQ on loopback", example, "deploy/k8s/overlays/example/secrets.env", "@rabbitmq.rabbitmq.svc.cluster.local:5672/", "@localhost:5672/", "RABBITMQ_URL: localhost is the pod itself"},
		{"RabbitMQ URL not AMQP", example, "deploy/k8s/overlays/example/secrets.env", "RABBITMQ_URL=amqp://", "RABBITMQ_URL=http://", "AMQP scheme must be either 'amqp://' or 'amqps://'"},
		{"Elasticsearch URL without a scheme", example, "deploy/k8s/overlays/example/secrets.env", "ELASTICSEARCH_URL=http://", "ELASTICSEARCH_URL=", "ELASTICSEARCH_URL: is no http(s) URL of a server (scheme \"shop\""},
		{"secret key missing", example, "deploy/k8s/overlays/example/secrets.env", "ADMIN_TOKEN=change-me-to-a-long-random-token\n", "", "has no key ADMIN_TOKEN"},
		{"Secret not supplied", example, "deploy/k8s/overlays/example/kustomization.yaml", "  - name: shop-secrets\n", "  - name: shop-secret\n", "Secret shop-secrets is not rendered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys, err := loadRepo()
			require.NoError(t, err)
			path := "/" + tt.file
			b, err := fsys.ReadFile(path)
			require.NoError(t, err)
			require.Contains(t, string(b), tt.old, "the breakage no longer applies to %s: update this test", tt.file)
			require.NoError(t, fsys.WriteFile(path, []byte(strings.Replace(string(b), tt.old, tt.new, 1))))

			var found []string
			tg := targetFor(t, tt.target)
			s, err := newSubject(fsys, tg)
			if err != nil {
				found = []string{err.Error()}
			} else {
				found = runChecks(s)
			}
			require.NotEmpty(t, found, "the broken manifests pass every check")
			for _, f := range found {
				if strings.Contains(f, tt.want) {
					return
				}
			}
			require.Failf(t, "the checks miss the fault", "want a problem containing %q; got:\n%s", tt.want, strings.Join(found, "\n"))
		})
	}
}

func targetFor(t *testing.T, dir string) target {
	t.Helper()
	for _, tg := range targets {
		if tg.dir == dir {
			return tg
		}
	}
	t.Fatalf("no target %s", dir)
	return target{}
}
