package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// input is one log file to read.
type input struct {
	name string
	size int64 // bytes on disk, 0 when unknown (standard input)
	open func() (io.ReadCloser, error)
}

// expand turns replay's arguments into its inputs: a file, every regular
// file below a directory (in lexical order), or - for stdin (once).
func expand(args []string, stdin io.Reader) ([]input, error) {
	var inputs []input
	for _, arg := range args {
		if arg == "-" {
			inputs = append(inputs, input{name: "-", open: func() (io.ReadCloser, error) { return io.NopCloser(stdin), nil }})
			continue
		}
		info, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			inputs = append(inputs, fileInput(arg, info.Size()))
			continue
		}
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			inputs = append(inputs, fileInput(path, info.Size()))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read directory %s: %w", arg, err)
		}
	}
	return inputs, nil
}

func fileInput(path string, size int64) input {
	return input{name: path, size: size, open: func() (io.ReadCloser, error) { return os.Open(path) }}
}
