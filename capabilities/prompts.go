package capabilities

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// PromptDef is an MCP prompt declared as data: a workflow over the tools, its text
// written for a model. The built-in prompts are in specs/prompts.yaml; an extra
// capability declares its own in the `prompts:` section of its corrections file. The
// prompts package validates them against the tools and serves them.
type PromptDef struct {
	Name        string         `yaml:"name"`
	Title       string         `yaml:"title"`
	Description string         `yaml:"description"`
	Arguments   []PromptArgDef `yaml:"arguments"`
	// Tools are the tools the text uses: the prompt is listed only when all are served.
	Tools []string `yaml:"tools"`
	// Text is the user message; {{argument}} is replaced by the argument's value.
	Text string `yaml:"text"`
}

// PromptArgDef is one argument of a prompt.
type PromptArgDef struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Required    bool   `yaml:"required"`
	// Default replaces {{name}} when an optional argument is not given.
	Default string `yaml:"default"`
	// Complete names the completions (PromptFile.Completions) offered as the person
	// types the argument (completion/complete), e.g. image names.
	Complete string `yaml:"complete"`
}

// CompletionSource is where completion finds values: a read-only tool's answer.
type CompletionSource struct {
	// Tool is the tool that is called, by its listed or seed name; a source whose tool is
	// not served, or whose upstream does not answer, is skipped.
	Tool string `yaml:"tool"`
	// Arguments of the call; {{value}} in a string is what the person has typed, and an
	// argument that holds it is left out while nothing is typed.
	Arguments map[string]any `yaml:"arguments"`
	// Values is the gjson path of the values in the tool's answer (strings).
	Values string `yaml:"values"`
}

// PromptFile is the prompts one file declares, with the file's name for messages.
type PromptFile struct {
	File    string
	Prompts []PromptDef
	// Completions are named lists of sources, in the order their values are offered.
	Completions map[string][]CompletionSource
}

// BuiltinPromptsFile holds the built-in prompts, beside the specs.
const BuiltinPromptsFile = "prompts.yaml"

// EmbeddedPrompts gives the built-in prompts: what ParseEmbeddedPrompts gives, prebuilt
// like Embedded's capabilities.
func EmbeddedPrompts() PromptFile {
	return prebuiltPrompts()
}

// ParseEmbeddedPrompts reads the built-in prompts from their YAML.
func ParseEmbeddedPrompts() (PromptFile, error) {
	data, err := embedded.ReadFile("specs/" + BuiltinPromptsFile)
	if err != nil {
		return PromptFile{}, fmt.Errorf("embedded %s: %w", BuiltinPromptsFile, err)
	}
	return parsePrompts(BuiltinPromptsFile, data)
}

// parsePrompts reads a prompts file: a `prompts:` list and the `completions:` they use,
// nothing else.
func parsePrompts(file string, data []byte) (PromptFile, error) {
	var doc struct {
		Prompts     []PromptDef                   `yaml:"prompts"`
		Completions map[string][]CompletionSource `yaml:"completions"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return PromptFile{}, correctionsProblem(file, data, err, &doc)
	}
	return PromptFile{File: file, Prompts: doc.Prompts, Completions: doc.Completions}, nil
}

// PromptFile returns the prompts the capability's corrections file declares.
func (c *Capability) PromptFile() PromptFile {
	return PromptFile{File: correctionsFile(c.File), Prompts: c.Prompts, Completions: c.Completions}
}
