package e2e

// The prompts that use the fake Central as well as Podman (see prompts_workflow_test.go).

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tidwall/gjson"
)

func TestPromptImageVulnerabilityReport(t *testing.T) {
	needPodman(t)
	// The image as Central knows it (a fixture), and in local storage under the same name.
	image := "quay.io/appcontainers/wordpress:ubuntu"
	tagImage(t, baseImage, "quay.io/appcontainers/wordpress", "ubuntu")
	t.Cleanup(func() { removeImage(t, image) })
	fc := StartFakeCentral(t, FakeCentralOptions{})
	s := StartServer(t, ServerOptions{Env: fc.Env(adminToken)})
	getFields := []string{"name.fullName", "scan.components.#.{name,version,layerIndex,vulns:vulns.#.{cve,severity,cvss,fixedBy}}", "metadata.v1.layers.#.{instruction,value}"}
	says := []string{`inspect-image with name "` + image + `"`, `history-image with name "` + image + `"`,
		`query "Image:<full name>"`, `fields ["id", "name", "cves", "fixableCves"]`, `body {"imageName": "<full name with`}
	for _, f := range getFields {
		says = append(says, `"`+f+`"`)
	}
	promptText(t, s, "image-vulnerability-report", map[string]string{"image": image}, says...)

	// 1-2. Local image and its layers.
	var insp struct{ Id string }
	Structured(t, s.MustSucceed(t, "inspect-image", map[string]any{"name": image}), &insp)
	var hist struct {
		Items []map[string]any `json:"items"`
	}
	Structured(t, s.MustSucceed(t, "history-image", map[string]any{"name": image}), &hist)
	if len(insp.Id) != 64 || len(hist.Items) == 0 {
		t.Fatalf("inspect %q, history %v", insp.Id, hist.Items)
	}
	// 3. Found in Central by name.
	var list struct {
		Images []struct {
			Id          string `json:"id"`
			Name        string `json:"name"`
			Cves        int    `json:"cves"`
			FixableCves int    `json:"fixableCves"`
		} `json:"images"`
	}
	Structured(t, s.MustSucceed(t, "listimages-returns-all-images", map[string]any{"query": "Image:" + image, "fields": []string{"id", "name", "cves", "fixableCves"}}), &list)
	if len(list.Images) != 1 || list.Images[0].Name != image || list.Images[0].Cves != 5 {
		t.Fatalf("listimages Image:%s: %+v", image, list.Images)
	}
	id := list.Images[0].Id
	// 4. A scan by name answers the same image (and a local-only name cannot be scanned, as the text warns).
	var scanned struct {
		ID string `json:"id"`
	}
	Structured(t, s.MustSucceed(t, "scanimage-scans-single-image-and", map[string]any{"body": map[string]any{"imageName": image}}), &scanned)
	if scanned.ID != id {
		t.Fatalf("scan answered id %q, want %q", scanned.ID, id)
	}
	s.MustFail(t, "scanimage-scans-single-image-and", map[string]any{"body": map[string]any{"imageName": baseImage}}, "scan could not be completed")
	// 5. The CVEs with component, version, fixed-by and the layer that added them.
	res := s.MustSucceed(t, "getimage-returns-image-given-its", map[string]any{"id": id, "fields": getFields})
	checkFixableCVEs(t, res, getFields)
}

func TestPromptPromoteImage(t *testing.T) {
	needPodman(t)
	source := registry + "/prompts/app:1"
	destRepo := registry + "/prompts/app-prod"
	dest := destRepo + ":1"
	// The source is in the registry; Central knows it (the nginx fixture, with a fixable critical CVE).
	pusher := StartServer(t, ServerOptions{})
	pusher.MustSucceed(t, "push-image", map[string]any{"name": baseImage, "destination": source, "tlsVerify": false})
	fc := StartFakeCentral(t, FakeCentralOptions{Rename: map[string]string{"docker.io/library/nginx:1.21.6": source}})
	s := StartServer(t, ServerOptions{Env: fc.Env(adminToken)})
	critical := `scan.components.#.vulns.#(severity=="CRITICAL_VULNERABILITY_SEVERITY")#.{cve,cvss,fixedBy}`
	promptText(t, s, "promote-image", map[string]string{"source": source, "destination": dest},
		`pull-images with reference "`+source+`"`, `query
       "Image:`+source+`"`, `body {"imageName": "`+source+`"}`, critical, `"scan.components.#.{name,version}"`,
		"STOP: do not tag or push", `tag-image with name "`+source+`"`, `push-image with name "`+dest+`"`, "listTags=true")
	t.Cleanup(func() { removeImage(t, source); removeImage(t, dest) })

	// 1-2. Pull and inspect.
	var pulled struct {
		ID string `json:"id"`
	}
	Structured(t, s.MustSucceed(t, "pull-images", map[string]any{"reference": source, "tlsVerify": false}), &pulled)
	var insp struct {
		Id          string
		RepoDigests []string
	}
	Structured(t, s.MustSucceed(t, "inspect-image", map[string]any{"name": source}), &insp)
	if insp.Id == "" || !strings.HasPrefix(pulled.ID, insp.Id[:12]) && !strings.HasPrefix(insp.Id, pulled.ID) {
		t.Fatalf("pulled %q, inspect %q", pulled.ID, insp.Id)
	}
	// 3. Central: listed by name, then its critical CVEs.
	var list struct {
		Images []struct {
			Id string `json:"id"`
		} `json:"images"`
	}
	Structured(t, s.MustSucceed(t, "listimages-returns-all-images", map[string]any{"query": "Image:" + source, "fields": []string{"id", "name", "cves", "fixableCves"}}), &list)
	if len(list.Images) != 1 {
		t.Fatalf("Central lists %d images for %s", len(list.Images), source)
	}
	res := s.MustSucceed(t, "getimage-returns-image-given-its", map[string]any{"id": list.Images[0].Id, "fields": []string{"name.fullName", "scan.components.#.{name,version}", critical}})
	checkPromotionGate(t, res, critical)
	// The person said yes. 5-7. Tag, push, verify.
	s.MustSucceed(t, "tag-image", map[string]any{"name": source, "repo": destRepo, "tag": "1"})
	pres := s.MustSucceed(t, "push-image", map[string]any{"name": dest, "tlsVerify": false})
	if !strings.Contains(Text(pres), "Writing manifest") {
		t.Fatalf("push-image: %s", Text(pres))
	}
	var tags struct {
		Items []struct{ Name, Tag string }
	}
	Structured(t, s.MustSucceed(t, "search-images", map[string]any{"term": destRepo, "listTags": true, "tlsVerify": false}), &tags)
	if len(tags.Items) != 1 || tags.Items[0].Tag != "1" {
		t.Fatalf("the destination's tags: %+v", tags.Items)
	}

	// Without a Central, the StackRox step answers what the text tells the model to report.
	noCentral := StartServer(t, ServerOptions{})
	promptText(t, noCentral, "promote-image", map[string]string{"source": source, "destination": dest}, "no StackRox Central is configured", "ROX_ENDPOINT")
	noCentral.MustFail(t, "listimages-returns-all-images", map[string]any{"query": "Image:" + source}, "no StackRox Central is configured", "ROX_ENDPOINT")
}

func TestPromptRebuildOnPatchedBase(t *testing.T) {
	needPodman(t)
	base := registry + "/prompts/base:1"
	tag := registry + "/prompts/rebuilt:1"
	s0 := StartServer(t, ServerOptions{})
	// The old build: on the base as it was, pushed.
	s0.MustSucceed(t, "push-image", map[string]any{"name": baseImage, "destination": base, "tlsVerify": false})
	ctxDir := t.TempDir()
	writeFiles(t, ctxDir, map[string]string{"Containerfile": "FROM " + base + "\nCOPY app.txt /app.txt\n", "app.txt": "app\n"})
	s0.MustSucceed(t, "pull-images", map[string]any{"reference": base, "tlsVerify": false})
	s0.MustSucceed(t, "build-image", map[string]any{"context": ctxDir, "t": tag, "networkmode": "none"})
	s0.MustSucceed(t, "push-image", map[string]any{"name": tag, "tlsVerify": false})
	// The base is patched in the registry (a new image under the same tag).
	patched := "localhost/prompts/base-patched:1"
	buildFrom(t, s0, patched, map[string]string{"Containerfile": "FROM " + baseImage + "\nCOPY patch.txt /patch.txt\n", "patch.txt": "patched\n"})
	s0.MustSucceed(t, "push-image", map[string]any{"name": patched, "destination": base, "tlsVerify": false})
	patchedID := inspectID(t, patched)
	t.Cleanup(func() {
		for _, n := range []string{tag, base, patched} {
			removeImage(t, n)
		}
	})

	fc := StartFakeCentral(t, FakeCentralOptions{Rename: map[string]string{"quay.io/appcontainers/wordpress:ubuntu": tag}})
	s := StartServer(t, ServerOptions{Env: fc.Env(adminToken)})
	fields := "scan.components.#.{name,version,layerIndex,vulns:vulns.#.{cve,severity,cvss,fixedBy}}"
	promptText(t, s, "rebuild-on-patched-base", map[string]string{"context": ctxDir, "tag": tag},
		`inspect-image with name "`+tag+`"`, `{"imageName": "`+tag+`"}`, fields, "pull-images with each base reference",
		`build-image with context "`+ctxDir+`" and t "`+tag+`"`, `push-image with name
       "`+tag+`"`, `{"imageName": "`+tag+`", "force": true}`)

	// 1. The old build.
	oldID := inspectID(t, tag)
	// 2. Its scan.
	var scan struct {
		ID string `json:"id"`
	}
	Structured(t, s.MustSucceed(t, "scanimage-scans-single-image-and", map[string]any{"body": map[string]any{"imageName": tag}}), &scan)
	old := s.MustSucceed(t, "getimage-returns-image-given-its", map[string]any{"id": scan.ID, "fields": []string{fields}})
	if !strings.Contains(Text(old), "CVE-2015-7547") {
		t.Fatalf("the old scan: %s", Text(old))
	}
	// 3. Pull the base named in FROM: the patched one arrives.
	var pulled struct {
		ID string `json:"id"`
	}
	Structured(t, s.MustSucceed(t, "pull-images", map[string]any{"reference": base, "tlsVerify": false}), &pulled)
	if pulled.ID != patchedID {
		t.Fatalf("pulled base %s, want the patched %s", pulled.ID, patchedID)
	}
	// 4. Rebuild: a new image on the patched base.
	var built struct {
		ID string `json:"id"`
	}
	Structured(t, s.MustSucceed(t, "build-image", map[string]any{"context": ctxDir, "t": tag, "networkmode": "none"}), &built)
	if newID := inspectID(t, tag); newID == oldID || !strings.HasPrefix(newID, built.ID[:12]) {
		t.Fatalf("the rebuild: old %s, new %s, build answered %s", oldID, newID, built.ID)
	}
	checkRebuiltOnPatched(t, s, tag)
	// 5-6. Push, scan again (forced), read the CVEs to compare.
	s.MustSucceed(t, "push-image", map[string]any{"name": tag, "tlsVerify": false})
	Structured(t, s.MustSucceed(t, "scanimage-scans-single-image-and", map[string]any{"body": map[string]any{"imageName": tag, "force": true}}), &scan)
	s.MustSucceed(t, "getimage-returns-image-given-its", map[string]any{"id": scan.ID, "fields": []string{fields}})
	if reqs := fc.Requests(); len(reqs) == 0 || !strings.Contains(string(reqs[len(reqs)-2].Body), `"force":true`) {
		t.Fatalf("the second scan was not forced: %+v", reqs)
	}
}

// checkFixableCVEs: the fields of the vulnerability report give 5 fixable CVEs, each with
// its component's version and the layer that added it, in an answer that is not cut.
func checkFixableCVEs(t *testing.T, res *mcp.CallToolResult, getFields []string) {
	t.Helper()
	var got map[string]json.RawMessage
	Structured(t, res, &got)
	var comps []struct {
		Name       string `json:"name"`
		Version    string `json:"version"`
		LayerIndex *int   `json:"layerIndex"`
		Vulns      []struct {
			Cve, Severity, FixedBy string
			Cvss                   float64
		} `json:"vulns"`
	}
	if err := json.Unmarshal(got[getFields[1]], &comps); err != nil {
		t.Fatalf("components: %v in %s", err, Text(res))
	}
	var layers []struct{ Instruction, Value string }
	if err := json.Unmarshal(got[getFields[2]], &layers); err != nil {
		t.Fatalf("layers: %v in %s", err, Text(res))
	}
	fixable := 0
	for _, c := range comps {
		for _, v := range c.Vulns {
			if v.FixedBy != "" && v.Severity != "" && c.Version != "" && c.LayerIndex != nil && *c.LayerIndex < len(layers) {
				fixable++
			}
		}
	}
	if fixable != 5 || strings.Contains(Text(res), "kept the first") {
		t.Fatalf("want 5 fixable CVEs, each with its layer, uncut; got %d in %s", fixable, Text(res))
	}
}

// checkPromotionGate: the components and their critical CVEs come in step, and the one
// fixable critical CVE (log4j) is what stops the promotion until the person says yes.
func checkPromotionGate(t *testing.T, res *mcp.CallToolResult, critical string) {
	t.Helper()
	var got map[string]json.RawMessage
	Structured(t, res, &got)
	var names []struct{ Name, Version string }
	var crit [][]struct {
		Cve, FixedBy string
		Cvss         float64
	}
	if json.Unmarshal(got["scan.components.#.{name,version}"], &names) != nil || json.Unmarshal(got[critical], &crit) != nil || len(names) != len(crit) {
		t.Fatalf("components and critical CVEs not in step: %s", Text(res))
	}
	// 4. The gate: a fixable critical CVE (log4j) stops the promotion until the person says yes.
	gate := ""
	for i, cs := range crit {
		for _, c := range cs {
			if c.FixedBy != "" {
				gate = c.Cve + " in " + names[i].Name + " " + names[i].Version + " fixed by " + c.FixedBy
			}
		}
	}
	if gate != "CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1 fixed by 2.15.0" {
		t.Fatalf("the gate found %q", gate)
	}
}

// checkRebuiltOnPatched: the rebuilt image's history, read on as a cut answer says, holds
// the patched base's step.
func checkRebuiltOnPatched(t *testing.T, s *Server, tag string) {
	t.Helper()
	var hist struct {
		Items []struct {
			CreatedBy string `json:"createdBy"`
		} `json:"items"`
	}
	readAll(t, s, "history-image", map[string]any{"name": tag}, func(r gjson.Result) []string {
		var part struct {
			Items []struct {
				CreatedBy string `json:"createdBy"`
			} `json:"items"`
		}
		json.Unmarshal([]byte(r.Raw), &part)
		hist.Items = append(hist.Items, part.Items...)
		return nil
	})
	onPatched := false
	for _, h := range hist.Items {
		onPatched = onPatched || strings.Contains(h.CreatedBy, "patch.txt")
	}
	if !onPatched {
		t.Fatalf("the rebuild's history lacks the patched base's step: %+v", hist.Items)
	}
}
