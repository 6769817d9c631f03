package app

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFormKeyKept(t *testing.T) {
	dir := t.TempDir()
	k1, err := loadFormKey(dir)
	if err != nil || len(k1) < 32 {
		t.Fatalf("%q %v", k1, err)
	}
	k2, _ := loadFormKey(dir)
	if string(k1) != string(k2) {
		t.Error("key changed between starts")
	}
	if fi, err := os.Stat(filepath.Join(dir, "form.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v %v", fi.Mode(), err)
	}
}
