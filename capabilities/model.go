// Package capabilities holds the Naftiko capability specs image-mcp serves, their typed
// model, and the corrections this project applies to them. See docs/naftiko.md
// for the meaning of the format as implemented here.
package capabilities

// Spec is one Naftiko capability document, as written (the seed files are kept verbatim).
type Spec struct {
	Naftiko    string        `yaml:"naftiko"`
	Info       Info          `yaml:"info"`
	Binds      []Bind        `yaml:"binds"`
	Capability CapabilityDef `yaml:"capability"`
}

// Info describes a capability for people.
type Info struct {
	Label       string   `yaml:"label"`
	Description string   `yaml:"description"`
	Tags        []string `yaml:"tags"`
	Created     string   `yaml:"created"`
	Modified    string   `yaml:"modified"`
}

// Bind maps names used in `{{env.X}}` templates to environment variables.
type Bind struct {
	Namespace string            `yaml:"namespace"`
	Keys      map[string]string `yaml:"keys"`
}

// CapabilityDef is what a capability consumes (upstream APIs) and exposes (adapters).
type CapabilityDef struct {
	Consumes []Consumes `yaml:"consumes"`
	Exposes  []Expose   `yaml:"exposes"`
}

// Consumes is one upstream HTTP API.
type Consumes struct {
	Type           string          `yaml:"type"`
	Namespace      string          `yaml:"namespace"`
	BaseURI        string          `yaml:"baseUri"`
	Description    string          `yaml:"description"`
	Resources      []Resource      `yaml:"resources"`
	Authentication *Authentication `yaml:"authentication"`
}

// Authentication is how requests to a consumed API are authorised.
type Authentication struct {
	Type      string `yaml:"type"`
	Key       string `yaml:"key"`
	Value     string `yaml:"value"`
	Placement string `yaml:"placement"`
}

// Resource is one path of a consumed API.
type Resource struct {
	Name       string      `yaml:"name"`
	Path       string      `yaml:"path"`
	Operations []Operation `yaml:"operations"`
}

// Operation is one method on a resource.
type Operation struct {
	Name             string            `yaml:"name"`
	Method           string            `yaml:"method"`
	Description      string            `yaml:"description"`
	OutputRawFormat  string            `yaml:"outputRawFormat"`
	OutputParameters []OutputParameter `yaml:"outputParameters"`
	InputParameters  []Parameter       `yaml:"inputParameters"`
}

// OutputParameter maps a response onto an output; `value: $.` is the whole body.
type OutputParameter struct {
	Name    string `yaml:"name"`
	Type    string `yaml:"type"`
	Value   string `yaml:"value"`
	Mapping string `yaml:"mapping"`
}

// Parameter is an input of a consumed operation. Names may contain dots; they are flat.
type Parameter struct {
	Name        string `yaml:"name"`
	In          string `yaml:"in"`
	Type        string `yaml:"type"`
	Description string `yaml:"description"`
	Required    bool   `yaml:"required"`
}

// Expose is an adapter: `rest` or `mcp`. Only the MCP tools matter to this server.
type Expose struct {
	Type        string        `yaml:"type"`
	Namespace   string        `yaml:"namespace"`
	Port        int           `yaml:"port"`
	Transport   string        `yaml:"transport"`
	Description string        `yaml:"description"`
	Tools       []ToolDef     `yaml:"tools"`
	Resources   []interface{} `yaml:"resources"`
}

// ToolDef is one MCP tool as the spec declares it.
type ToolDef struct {
	Name             string            `yaml:"name"`
	Description      string            `yaml:"description"`
	Hints            Hints             `yaml:"hints"`
	Call             string            `yaml:"call"`
	With             map[string]string `yaml:"with"`
	OutputParameters []OutputParameter `yaml:"outputParameters"`
}

// Hints are the behaviour hints of a tool. Pointers: absent is not the same as false.
type Hints struct {
	ReadOnly    *bool `yaml:"readOnly"`
	Destructive *bool `yaml:"destructive"`
	Idempotent  *bool `yaml:"idempotent"`
	OpenWorld   *bool `yaml:"openWorld"`
}

// Parameter locations and types the engine understands.
var (
	knownIn    = map[string]bool{"query": true, "path": true, "header": true, "body": true}
	knownTypes = map[string]bool{"string": true, "integer": true, "number": true, "boolean": true, "array": true, "object": true}
)
