package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/image-mcp/image-mcp/internal/fakecentral"
)

// central is the fake StackRox Central of the end-to-end tests (internal/fakecentral),
// holding the fixtures and n generated images; Central itself cannot run here.
type central struct {
	*fakecentral.Central
	client  *http.Client
	fixture []byte // GetImage's answer for fixtureID: the 2.3 MB fixture
	// fixtureID is the id of the biggest fixture image.
	fixtureID string
}

func startCentral(images int) (*central, error) {
	fc, err := fakecentral.Start(fakecentral.Options{Bulk: images})
	if err != nil {
		return nil, fmt.Errorf("fake Central: %w", err)
	}
	c := &central{Central: fc, client: fc.Client()}
	if c.fixture, err = fakecentral.Fixture(fakecentral.FixtureNodejs); err != nil {
		fc.Close()
		return nil, err
	}
	var img struct{ ID string }
	if err := json.Unmarshal(c.fixture, &img); err != nil || img.ID == "" {
		fc.Close()
		return nil, fmt.Errorf("fixture %s: no id (%v)", fakecentral.FixtureNodejs, err)
	}
	c.fixtureID = img.ID
	return c, nil
}

// env is what image-mcp needs to reach the fake, with a read-only token.
func (c *central) env() []string { return c.Env(fakecentral.ReadToken) }

// get is the baseline: the same request with Go's HTTPS client, body read whole.
func (c *central) get(path string) (int, error) {
	req, err := http.NewRequest("GET", c.URL+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+fakecentral.ReadToken)
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	return int(n), err
}
