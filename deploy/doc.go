// Package deploy holds Assay's deployment files rather than Go code: the
// container image (Dockerfile), a Docker Compose stack (compose.yaml) and
// Kubernetes manifests (k8s/). See README.md.
//
// The package itself is empty; its tests (deploy_test.go) parse every
// manifest and check the facts the rest of the setup relies on, so that
// `go test ./...` catches a broken manifest even though no container engine
// runs in CI.
package deploy
