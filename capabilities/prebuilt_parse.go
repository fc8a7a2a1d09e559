//go:build prebuild

package capabilities

// With the prebuild tag (the generator of prebuilt.go), the built-in capabilities and
// prompts are parsed from the specs.

func prebuiltCapabilities() []*Capability {
	c, err := ParseEmbedded()
	if err != nil {
		panic(err)
	}
	return c
}

func prebuiltPrompts() PromptFile {
	p, err := ParseEmbeddedPrompts()
	if err != nil {
		panic(err)
	}
	return p
}
