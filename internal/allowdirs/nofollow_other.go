//go:build !unix

package allowdirs

const oNoFollow = 0
