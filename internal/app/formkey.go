package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// loadFormKey returns the key that signs the signature form's timing
// stamp, kept in DATA_DIR/form.key (made on first start, readable by the
// owner only) so forms served before a restart still work after it.
func loadFormKey(dataDir string) ([]byte, error) {
	if dataDir == "" {
		return nil, nil // web makes a key for this process
	}
	path := filepath.Join(dataDir, "form.key")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("form key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	key = []byte(hex.EncodeToString(key))
	// O_EXCL: two instances starting together keep the first one's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("form key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, fmt.Errorf("form key: %w", err)
	}
	return key, f.Close()
}
