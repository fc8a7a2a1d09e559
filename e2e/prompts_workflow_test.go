package e2e

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// Each built-in prompt followed step by step with the real tools (the test Podman and
// registry, the fake Central), with the arguments its text gives: every call succeeds and
// answers what the text says the model will find. The text of the prompt is checked to
// carry each argument used here, so the text and the test cannot drift apart.

// promptText gets a prompt and fails unless its text says each of says.
func promptText(t *testing.T, s *Server, name string, args map[string]string, says ...string) string {
	t.Helper()
	text, err := getPrompt(s, name, args)
	if err != nil {
		t.Fatalf("prompts/get %s: %v", name, err)
	}
	// Line breaks in the text are layout: compare with runs of spaces folded.
	fold := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, w := range says {
		if !strings.Contains(fold(text), fold(w)) {
			t.Fatalf("the %s prompt does not say %q:\n%s", name, w, text)
		}
	}
	return text
}

// buildFrom builds an image from a context of files with the build-image tool.
func buildFrom(t *testing.T, s *Server, tag string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	var sum struct {
		ID string `json:"id"`
	}
	args := map[string]any{"context": dir, "networkmode": "none"}
	if tag != "" {
		args["t"] = tag
	}
	Structured(t, s.MustSucceed(t, "build-image", args), &sum)
	if len(sum.ID) < 12 {
		t.Fatalf("build of %s answered no image ID", tag)
	}
	return sum.ID
}

func TestPromptExplainImage(t *testing.T) {
	needPodman(t)
	s := StartServer(t, ServerOptions{})
	image := "localhost/prompt-explain:1"
	buildFrom(t, s, image, map[string]string{
		"Containerfile": "FROM " + baseImage + "\nLABEL version=1.0 maintainer=e2e\nENV GREETING=hello\nCOPY app.txt /srv/app.txt\nEXPOSE 8080/tcp\nWORKDIR /srv\nENTRYPOINT [\"/bin/sh\", \"-c\"]\nCMD [\"cat /srv/app.txt\"]\n",
		"app.txt":       strings.Repeat("app\n", 1000),
	})
	t.Cleanup(func() { removeImage(t, image) })
	promptText(t, s, "explain-image", map[string]string{"image": image},
		`inspect-image with name "`+image+`"`, `history-image with name "`+image+`"`, `image-tree with name "`+image+`"`,
		"Config.Entrypoint", "Config.ExposedPorts", "Labels", "Top Layer")

	// 1. inspect-image: what runs, ports, labels, layers.
	var insp struct {
		Id     string
		Config struct {
			Entrypoint, Cmd []string
			ExposedPorts    map[string]any
			WorkingDir      string
			Env             []string
		}
		Labels map[string]string
		RootFS struct{ Layers []string }
	}
	Structured(t, s.MustSucceed(t, "inspect-image", map[string]any{"name": image}), &insp)
	if !slices.Equal(insp.Config.Entrypoint, []string{"/bin/sh", "-c"}) || !slices.Equal(insp.Config.Cmd, []string{"cat /srv/app.txt"}) ||
		insp.Config.ExposedPorts["8080/tcp"] == nil || insp.Labels["version"] != "1.0" || insp.Config.WorkingDir != "/srv" ||
		!slices.Contains(insp.Config.Env, "GREETING=hello") || len(insp.RootFS.Layers) < 2 {
		t.Fatalf("inspect-image: %+v", insp)
	}
	// 2. history-image: one item per step with its instruction and size, newest first; read
	// on as a cut answer says (the base image's item lists every name it has, and other
	// tests give it many).
	type step struct {
		CreatedBy string `json:"createdBy"`
		Size      int64  `json:"size"`
	}
	var hist struct{ Items []step }
	readAll(t, s, "history-image", map[string]any{"name": image}, func(r gjson.Result) []string {
		var part []step
		json.Unmarshal([]byte(r.Get("items").Raw), &part)
		hist.Items = append(hist.Items, part...)
		return nil
	})
	if len(hist.Items) < 3 || !strings.Contains(hist.Items[0].CreatedBy, "CMD") {
		t.Fatalf("history-image: %+v", hist.Items)
	}
	// A build commits its steps as one layer: the size shows on the newest step of it.
	var own int64
	copied := false
	for _, h := range hist.Items[:len(hist.Items)-1] {
		own += h.Size
		copied = copied || strings.Contains(h.CreatedBy, "COPY")
	}
	if last := hist.Items[len(hist.Items)-1]; !copied || own < 4000 || !strings.Contains(last.CreatedBy, "ADD") || last.Size == 0 {
		t.Fatalf("history-image: want a COPY step, 4000+ bytes of this image's own steps and the base's ADD: %+v", hist.Items)
	}
	// 3. image-tree: the base image is named where its top layer is.
	var tree struct{ Tree string }
	Structured(t, s.MustSucceed(t, "image-tree", map[string]any{"name": image}), &tree)
	// (Other tests may have given the base image more names.)
	if !regexp.MustCompile(`Top Layer of: \[([^\]]* )?` + regexp.QuoteMeta(baseImage) + `[ \]]`).MatchString(tree.Tree) {
		t.Fatalf("image-tree does not name the base image %s:\n%s", baseImage, tree.Tree)
	}
}

func TestPromptReclaimDiskSpace(t *testing.T) {
	needPodman(t)
	s := StartServer(t, ServerOptions{})
	// A dangling image: built without a name.
	dangling := buildFrom(t, s, "", map[string]string{"Containerfile": "FROM " + baseImage + "\nCOPY junk /junk\n", "junk": strings.Repeat("x", 50000)})
	promptText(t, s, "reclaim-disk-space", nil,
		`filters '{"dangling": ["true"]}' (filters is a string holding JSON) and fields ["Id", "Size", "Created", "Containers"]`,
		`fields ["Id", "RepoTags", "Size", "SharedSize", "Created", "Containers"]`, "Do not prune before they answer", "all=true")

	// 1. The dangling images, with their sizes.
	var dang struct {
		Items []struct {
			Id   string
			Size int64
		} `json:"items"`
	}
	Structured(t, s.MustSucceed(t, "list-images", map[string]any{"filters": `{"dangling": ["true"]}`, "fields": []string{"Id", "Size", "Created", "Containers"}}), &dang)
	found := false
	for _, i := range dang.Items {
		found = found || (strings.HasPrefix(i.Id, dangling) || strings.HasPrefix(dangling, i.Id)) && i.Size > 50000
	}
	if !found {
		t.Fatalf("list-images dangling=true lacks %s: %+v", dangling, dang.Items)
	}
	// 2. All images with what tells used from unused.
	res := s.MustSucceed(t, "list-images", map[string]any{"fields": []string{"Id", "RepoTags", "Size", "SharedSize", "Created", "Containers"}})
	var all struct {
		Items []map[string]any `json:"items"`
	}
	Structured(t, res, &all)
	for _, i := range all.Items {
		for _, f := range []string{"Id", "Size", "SharedSize", "Containers"} {
			if _, ok := i[f]; !ok {
				t.Fatalf("list-images item lacks %s: %v", f, i)
			}
		}
	}
	// 5. After the person agreed to dangling images only: a plain prune removes it, no more.
	var pruned struct {
		Items []struct {
			Id   string
			Size int64
		} `json:"items"`
	}
	Structured(t, s.MustSucceed(t, "prune-unused-images", nil), &pruned)
	removed := false
	for _, p := range pruned.Items {
		removed = removed || strings.HasPrefix(p.Id, dangling) || strings.HasPrefix(dangling, p.Id)
	}
	if !removed {
		t.Fatalf("prune-unused-images did not report %s removed: %s", dangling, Text(s.Call(t, "list-images", map[string]any{"fields": []string{"Id"}})))
	}
	if !imgExists(t, s, baseImage) {
		t.Fatal("a plain prune removed a named image")
	}
	s.MustSucceed(t, "list-images", map[string]any{"fields": []string{"Id", "RepoTags", "Size"}})
}
