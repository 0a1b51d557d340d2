package lambdarun

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func TestAbort(t *testing.T) {
	var status []int
	exit = func(code int) { status = append(status, code) }
	t.Cleanup(func() { exit = defaultExit })

	var buf bytes.Buffer
	Abort(zerolog.New(&buf), errors.New("TABLE_NAME is required"))

	if len(status) != 1 || status[0] != 1 {
		t.Errorf("exit status %v, want [1]", status)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	want := map[string]any{"level": "fatal", "message": "startup_failed", "error": "TABLE_NAME is required"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v (%s)", k, line[k], v, buf.String())
		}
	}
}

var defaultExit = exit

// snakeCase is a static log message: lower-case words joined by "_".
var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestLogMessagesAreStaticSnakeCase reads every Go file of the functions
// (the four functions and the shared module): each zerolog message is a
// snake_case string literal, and no message is formatted (Msgf).
func TestLogMessagesAreStaticSnakeCase(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	seen := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "Msgf":
				t.Errorf("%s: formatted log message (Msgf): use a static message and fields", fset.Position(call.Pos()))
			case "Msg":
				if len(call.Args) != 1 {
					return true
				}
				seen++
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s: log message is not a string literal", fset.Position(call.Pos()))
					return true
				}
				if msg, _ := strconv.Unquote(lit.Value); !snakeCase.MatchString(msg) {
					t.Errorf("%s: log message %q is not static snake_case", fset.Position(call.Pos()), msg)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Errorf("found %d log messages under %s, want the functions' (is the walk's root right?)", seen, root)
	}
}
