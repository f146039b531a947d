package deploy_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// decodeAll decodes every YAML document in path. Documents that are empty
// (e.g. only comments) are dropped.
func decodeAll(path string) ([]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var docs []any
	dec := yaml.NewDecoder(f)
	for i := 0; ; i++ {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", path, i, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

// yamlFiles lists every *.yaml and *.yml file under root.
func yamlFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// dig walks nested mappings by key; it returns nil when any step is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func mustDecodeOne(t *testing.T, path string) map[string]any {
	t.Helper()
	docs, err := decodeAll(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Fatalf("%s: want 1 YAML document, got %d", path, len(docs))
	}
	m, ok := docs[0].(map[string]any)
	if !ok {
		t.Fatalf("%s: top level is %T, want a mapping", path, docs[0])
	}
	return m
}

func TestEveryYAMLFileParses(t *testing.T) {
	files := yamlFiles(t, ".")
	// Guard against the walk silently finding nothing (e.g. a moved directory).
	for _, want := range []string{"compose.yaml", filepath.Join("k8s", "kustomization.yaml")} {
		if !slices.Contains(files, want) {
			t.Errorf("expected %s among the YAML files, found %v", want, files)
		}
	}
	for _, f := range files {
		docs, err := decodeAll(f)
		if err != nil {
			t.Errorf("parse: %v", err)
			continue
		}
		if len(docs) == 0 {
			t.Errorf("%s: no YAML documents", f)
		}
	}
}

// composeEnv returns a service's environment, accepting both the mapping
// and the list ("KEY=value") forms.
func composeEnv(t *testing.T, svc any) map[string]string {
	t.Helper()
	env := map[string]string{}
	switch e := dig(svc, "environment").(type) {
	case map[string]any:
		for k, v := range e {
			env[k] = fmt.Sprint(v)
		}
	case []any:
		for _, item := range e {
			k, v, _ := strings.Cut(fmt.Sprint(item), "=")
			env[k] = v
		}
	case nil:
	default:
		t.Fatalf("environment has unexpected type %T", e)
	}
	return env
}

func TestCompose(t *testing.T) {
	doc := mustDecodeOne(t, "compose.yaml")
	services, ok := doc["services"].(map[string]any)
	if !ok {
		t.Fatal("compose.yaml: no services mapping")
	}
	for _, name := range []string{"mongo", "minio", "mailpit", "assay"} {
		if services[name] == nil {
			t.Errorf("compose.yaml: missing service %q", name)
		}
	}
	assay := services["assay"]
	if assay == nil {
		t.FailNow()
	}

	env := composeEnv(t, assay)
	for _, k := range []string{"ASSAY_MONGO_URI", "ASSAY_S3_ENDPOINT", "ASSAY_SMTP_HOST"} {
		if env[k] == "" {
			t.Errorf("compose.yaml: assay environment does not set %s", k)
		}
	}
	// The endpoints must point at services of this file.
	if h, _, _ := strings.Cut(env["ASSAY_S3_ENDPOINT"], ":"); services[h] == nil {
		t.Errorf("compose.yaml: ASSAY_S3_ENDPOINT=%q is not a compose service", env["ASSAY_S3_ENDPOINT"])
	}
	if services[env["ASSAY_SMTP_HOST"]] == nil {
		t.Errorf("compose.yaml: ASSAY_SMTP_HOST=%q is not a compose service", env["ASSAY_SMTP_HOST"])
	}
	if !strings.Contains(env["ASSAY_MONGO_URI"], "replicaSet=") {
		t.Errorf("compose.yaml: ASSAY_MONGO_URI=%q does not name the replica set", env["ASSAY_MONGO_URI"])
	}

	// Assay must wait for healthy dependencies, and those must have healthchecks.
	for _, dep := range []string{"mongo", "minio"} {
		if got := str(dig(assay, "depends_on", dep, "condition")); got != "service_healthy" {
			t.Errorf("compose.yaml: assay depends_on %s condition = %q, want service_healthy", dep, got)
		}
	}
	if deps, ok := dig(assay, "depends_on").(map[string]any); ok {
		for dep, spec := range deps {
			if services[dep] == nil {
				t.Errorf("compose.yaml: assay depends on unknown service %q", dep)
			}
			if str(dig(spec, "condition")) == "service_healthy" && dig(services[dep], "healthcheck", "test") == nil {
				t.Errorf("compose.yaml: assay waits for %s to be healthy, but it has no healthcheck", dep)
			}
		}
	}

	// The build must point at this directory's Dockerfile.
	ctx, dockerfile := str(dig(assay, "build", "context")), str(dig(assay, "build", "dockerfile"))
	if ctx == "" || dockerfile == "" {
		t.Errorf("compose.yaml: assay build context/dockerfile not set")
	} else if _, err := os.Stat(filepath.Join(ctx, dockerfile)); err != nil {
		t.Errorf("compose.yaml: assay build: %v", err)
	}
}

type k8sObject struct {
	file string
	doc  map[string]any
}

func (o k8sObject) kind() string { return str(o.doc["kind"]) }
func (o k8sObject) name() string { return str(dig(o.doc, "metadata", "name")) }

// k8sObjects loads every Kubernetes object under k8s/ (the kustomization
// file is kustomize configuration, not an object).
func k8sObjects(t *testing.T) []k8sObject {
	t.Helper()
	var objs []k8sObject
	for _, f := range yamlFiles(t, "k8s") {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		docs, err := decodeAll(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			m, ok := d.(map[string]any)
			if !ok {
				t.Fatalf("%s: document is %T, want a mapping", f, d)
			}
			objs = append(objs, k8sObject{f, m})
		}
	}
	return objs
}

func find(objs []k8sObject, kind, name string) (k8sObject, bool) {
	for _, o := range objs {
		if o.kind() == kind && o.name() == name {
			return o, true
		}
	}
	return k8sObject{}, false
}

func TestK8sObjectsHaveIdentity(t *testing.T) {
	objs := k8sObjects(t)
	if len(objs) == 0 {
		t.Fatal("no Kubernetes objects found under k8s/")
	}
	for _, o := range objs {
		if str(o.doc["apiVersion"]) == "" || o.kind() == "" || o.name() == "" {
			t.Errorf("%s: object lacks apiVersion, kind or metadata.name: apiVersion=%q kind=%q name=%q",
				o.file, o.doc["apiVersion"], o.kind(), o.name())
		}
	}
}

// subset reports whether every key/value of sel is in labels.
func subset(sel, labels any) bool {
	s, _ := sel.(map[string]any)
	l, _ := labels.(map[string]any)
	if len(s) == 0 {
		return false
	}
	for k, v := range s {
		if l[k] != v {
			return false
		}
	}
	return true
}

func TestK8sDeployment(t *testing.T) {
	objs := k8sObjects(t)
	dep, ok := find(objs, "Deployment", "assay")
	if !ok {
		t.Fatal("no Deployment named assay")
	}
	pod := dig(dep.doc, "spec", "template", "spec")
	podLabels := dig(dep.doc, "spec", "template", "metadata", "labels")
	if !subset(dig(dep.doc, "spec", "selector", "matchLabels"), podLabels) {
		t.Error("Deployment selector does not match its pod template labels")
	}
	containers := list(dig(pod, "containers"))
	if len(containers) == 0 {
		t.Fatal("Deployment has no containers")
	}
	c := containers[0]

	// Probe ports may be numbers or container port names.
	portNames := map[string]int{}
	for _, p := range list(dig(c, "ports")) {
		if n, ok := dig(p, "containerPort").(int); ok {
			portNames[str(dig(p, "name"))] = n
		}
	}
	resolve := func(port any) int {
		switch p := port.(type) {
		case int:
			return p
		case string:
			return portNames[p]
		}
		return 0
	}
	for probe, want := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
		if got := str(dig(c, probe, "httpGet", "path")); got != want {
			t.Errorf("%s path = %q, want %q", probe, got, want)
		}
		if got := resolve(dig(c, probe, "httpGet", "port")); got != 8080 {
			t.Errorf("%s port resolves to %d, want 8080", probe, got)
		}
	}
	if dig(c, "startupProbe", "httpGet") == nil {
		t.Error("no startupProbe")
	}

	// runAsNonRoot true at pod or container level, and not false at either.
	podNonRoot, containerNonRoot := dig(pod, "securityContext", "runAsNonRoot"), dig(c, "securityContext", "runAsNonRoot")
	if podNonRoot == false || containerNonRoot == false || (podNonRoot != true && containerNonRoot != true) {
		t.Errorf("runAsNonRoot: pod=%v container=%v, want true", podNonRoot, containerNonRoot)
	}
	if dig(c, "securityContext", "readOnlyRootFilesystem") != true {
		t.Error("container securityContext.readOnlyRootFilesystem is not true")
	}
	if dig(c, "securityContext", "allowPrivilegeEscalation") != false {
		t.Error("container securityContext.allowPrivilegeEscalation is not false")
	}
	if !slices.Contains(list(dig(c, "securityContext", "capabilities", "drop")), any("ALL")) {
		t.Error("container does not drop ALL capabilities")
	}

	// envFrom must reference the ConfigMap in this directory and the
	// assay-secrets Secret; together they must point Assay at an external
	// MongoDB and S3, or each replica would run its own embedded ones.
	keys := map[string]bool{}
	var sawSecret bool
	for _, ef := range list(dig(c, "envFrom")) {
		if name := str(dig(ef, "configMapRef", "name")); name != "" {
			cm, ok := find(objs, "ConfigMap", name)
			if !ok {
				t.Errorf("envFrom references ConfigMap %q, which is not defined under k8s/", name)
			}
			data, _ := dig(cm.doc, "data").(map[string]any)
			for k := range data {
				keys[k] = true
			}
		}
		if name := str(dig(ef, "secretRef", "name")); name != "" {
			if name != "assay-secrets" {
				t.Errorf("envFrom references Secret %q, want assay-secrets", name)
			}
			sawSecret = true
			if s, ok := find(objs, "Secret", name); ok {
				data, _ := dig(s.doc, "stringData").(map[string]any)
				for k := range data {
					keys[k] = true
				}
			} else {
				t.Errorf("no example for Secret %q under k8s/", name)
			}
		}
	}
	if !sawSecret {
		t.Error("envFrom does not reference the assay-secrets Secret")
	}
	for _, k := range []string{"ASSAY_MONGO_URI", "ASSAY_S3_ENDPOINT"} {
		if !keys[k] {
			t.Errorf("neither the ConfigMap nor the Secret sets %s", k)
		}
	}

	// Service and PodDisruptionBudget must select these pods; the Ingress must
	// route to an existing Service.
	for _, kind := range []string{"Service", "PodDisruptionBudget"} {
		var found bool
		for _, o := range objs {
			if o.kind() != kind {
				continue
			}
			found = true
			sel := dig(o.doc, "spec", "selector")
			if kind == "PodDisruptionBudget" {
				sel = dig(sel, "matchLabels")
			}
			if !subset(sel, podLabels) {
				t.Errorf("%s %s does not select the assay pods", kind, o.name())
			}
		}
		if !found {
			t.Errorf("no %s", kind)
		}
	}
	for _, o := range objs {
		if o.kind() != "Ingress" {
			continue
		}
		for _, r := range list(dig(o.doc, "spec", "rules")) {
			for _, p := range list(dig(r, "http", "paths")) {
				if svc := str(dig(p, "backend", "service", "name")); svc != "" {
					if _, ok := find(objs, "Service", svc); !ok {
						t.Errorf("Ingress %s routes to unknown Service %q", o.name(), svc)
					}
				}
			}
		}
	}
}

func TestKustomization(t *testing.T) {
	doc := mustDecodeOne(t, filepath.Join("k8s", "kustomization.yaml"))
	var listed []string
	for _, r := range list(doc["resources"]) {
		name := str(r)
		listed = append(listed, name)
		if _, err := os.Stat(filepath.Join("k8s", name)); err != nil {
			t.Errorf("kustomization resource %q: %v", name, err)
		}
	}
	if len(listed) == 0 {
		t.Fatal("kustomization.yaml lists no resources")
	}
	// Every manifest is applied, except the example Secret, which must not be.
	for _, f := range yamlFiles(t, "k8s") {
		base := filepath.Base(f)
		switch {
		case base == "kustomization.yaml":
		case strings.Contains(base, ".example."):
			if slices.Contains(listed, base) {
				t.Errorf("kustomization lists %s; example files must not be applied", base)
			}
		case !slices.Contains(listed, base):
			t.Errorf("%s is not listed in kustomization resources", f)
		}
	}
}

var fromAs = regexp.MustCompile(`(?i)^FROM\s+.+\s+AS\s+\S+$`)

func TestDockerfile(t *testing.T) {
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var froms, namedStages int
	lastFrom, lastUser := -1, -1
	var user string
	sc := bufio.NewScanner(f)
	for n := 0; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(line, "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			froms++
			lastFrom = n
			if fromAs.MatchString(line) {
				namedStages++
			}
		case "USER":
			if len(fields) > 1 {
				lastUser, user = n, fields[1]
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if froms < 2 || namedStages == 0 {
		t.Errorf("Dockerfile: want a multi-stage build (FROM ... AS name); got %d FROM lines, %d named", froms, namedStages)
	}
	if lastUser < lastFrom {
		t.Fatal("Dockerfile: the final stage sets no USER, so the image runs as root")
	}
	if u, _, _ := strings.Cut(user, ":"); u == "root" || u == "0" || u == "" {
		t.Errorf("Dockerfile: final USER is %q, want a non-root user", user)
	}
}
