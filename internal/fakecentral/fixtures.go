package fakecentral

// The image set: the fixtures of testdata/ plus generated images.

import (
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// The fixtures: three full images (one of them 2.3 MB) and a ListImages answer.
//
//go:embed testdata/*.json
var fixtures embed.FS

// Fixture returns one of the fixture files by name (e.g. FixtureNodejs).
func Fixture(name string) ([]byte, error) { return fixtures.ReadFile("testdata/" + name) }

// FixtureNodejs is the biggest fixture: a real 2.3 MB storage.Image with its scan.
const FixtureNodejs = "nodejs-centos-6.stackrox-fixture.json"

type fakeImage struct {
	id, name, registry, remote, tag string
	list                            json.RawMessage // storage.ListImage
	full                            json.RawMessage // storage.Image
	cves, severities, components    []string
	fixable                         bool
}

// loadFakeImages builds the image set from the fixtures, plus bulk generated images.
func loadFakeImages(bulk int) ([]*fakeImage, error) {
	var images []*fakeImage
	listJSON, err := Fixture("list-images.json")
	if err != nil {
		return nil, err
	}
	listed := map[string]json.RawMessage{}
	gjson.GetBytes(listJSON, "images").ForEach(func(_, v gjson.Result) bool {
		listed[v.Get("id").String()] = json.RawMessage(v.Raw)
		return true
	})
	for _, f := range []string{"image-wordpress-ubuntu-trimmed.gateway.json", "get-image.synthetic.json", FixtureNodejs} {
		full, err := Fixture(f)
		if err != nil {
			return nil, err
		}
		img := imageFromFull(full)
		if l, ok := listed[img.id]; ok {
			img.list = l
			delete(listed, img.id)
		}
		images = append(images, img)
	}
	// Listed without a full fixture: a minimal storage.Image from its list entry.
	for _, l := range listed {
		lr := gjson.ParseBytes(l)
		reg, remote, tag := splitImageName(lr.Get("name").String())
		name := map[string]string{"registry": reg, "remote": remote, "tag": tag, "fullName": lr.Get("name").String()}
		full, _ := json.Marshal(map[string]any{"id": lr.Get("id").String(), "name": name, "names": []any{name},
			"metadata": nil, "scan": nil, "notPullable": false, "isClusterLocal": false, "priority": lr.Get("priority").String(),
			"riskScore": 0, "topCvss": 0, "notes": []string{"MISSING_SCAN_DATA"}, "lastUpdated": lr.Get("lastUpdated").String()})
		img := imageFromFull(full)
		img.list = l
		images = append(images, img)
	}
	for i := range bulk {
		name := fmt.Sprintf("registry.example.com/bulk/app-%05d:1.0", i)
		id := fmt.Sprintf("sha256:%064x", 0xb000000+i)
		reg, remote, tag := splitImageName(name)
		nm := map[string]string{"registry": reg, "remote": remote, "tag": tag, "fullName": name}
		list, _ := json.Marshal(map[string]any{"id": id, "name": name, "components": 12, "cves": 3, "fixableCves": 1,
			"created": "2024-01-02T03:04:05Z", "lastUpdated": "2024-02-03T04:05:06.123456789Z", "priority": strconv.Itoa(100 + i)})
		full, _ := json.Marshal(map[string]any{"id": id, "name": nm, "names": []any{nm}, "metadata": nil, "scan": nil,
			"notPullable": false, "isClusterLocal": false, "priority": strconv.Itoa(100 + i), "riskScore": 1.5, "topCvss": 5.5,
			"notes": []string{}, "lastUpdated": "2024-02-03T04:05:06.123456789Z"})
		img := imageFromFull(full)
		img.list = list
		images = append(images, img)
	}
	return images, nil
}

func imageFromFull(full []byte) *fakeImage {
	r := gjson.ParseBytes(full)
	img := &fakeImage{
		id:       r.Get("id").String(),
		name:     r.Get("name.fullName").String(),
		registry: r.Get("name.registry").String(),
		remote:   r.Get("name.remote").String(),
		tag:      r.Get("name.tag").String(),
		full:     full,
	}
	r.Get("scan.components").ForEach(func(_, c gjson.Result) bool {
		img.components = append(img.components, c.Get("name").String())
		c.Get("vulns").ForEach(func(_, v gjson.Result) bool {
			img.cves = append(img.cves, v.Get("cve").String())
			img.severities = append(img.severities, v.Get("severity").String())
			if v.Get("fixedBy").String() != "" {
				img.fixable = true
			}
			return true
		})
		return true
	})
	// The list entry the gateway would emit for it (components/cves/fixableCves are oneofs).
	list, _ := json.Marshal(map[string]any{"id": img.id, "name": img.name,
		"components": r.Get("components").Int(), "cves": r.Get("cves").Int(), "fixableCves": r.Get("fixableCves").Int(),
		"created": r.Get("metadata.v1.created").String(), "lastUpdated": r.Get("lastUpdated").String(), "priority": r.Get("priority").String()})
	img.list = list
	return img
}

// rename gives the image another full name, in its list entry and its full JSON too.
func (img *fakeImage) rename(name string) error {
	img.name = name
	img.registry, img.remote, img.tag = splitImageName(name)
	nm := map[string]string{"registry": img.registry, "remote": img.remote, "tag": img.tag, "fullName": name}
	patch := func(raw json.RawMessage, set func(map[string]any)) (json.RawMessage, error) {
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			return nil, fmt.Errorf("rename %s: %w", name, err)
		}
		set(m)
		return json.Marshal(m)
	}
	var err error
	if img.full, err = patch(img.full, func(m map[string]any) { m["name"], m["names"] = nm, []any{nm} }); err != nil {
		return err
	}
	img.list, err = patch(img.list, func(m map[string]any) { m["name"] = name })
	return err
}

func splitImageName(name string) (registry, remote, tag string) {
	rest := name
	if i := strings.Index(rest, "/"); i > 0 && strings.ContainsAny(rest[:i], ".:") {
		registry, rest = rest[:i], rest[i+1:]
	} else {
		registry = "docker.io"
		if !strings.Contains(rest, "/") {
			rest = "library/" + rest
		}
	}
	remote, tag = rest, "latest"
	if i := strings.LastIndex(rest, ":"); i > 0 {
		remote, tag = rest[:i], rest[i+1:]
	}
	return registry, remote, tag
}
