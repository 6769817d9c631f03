package store

// HoldSignatures stalls the signature batcher until release is called,
// so a test can fill its queue.
func HoldSignatures(s *Store) (release func()) {
	s.sigs.hold.Lock()
	return s.sigs.hold.Unlock
}
