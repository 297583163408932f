package mongodb

import (
	"hash/fnv"
	"sync"
)

// keyLocks serialises, within the process, the writers of one key (a product's ledger, an order's
// record): FerretDB applies a filtered update as a read, then a write, so two writers of one key in
// one process would race. Keys share a fixed number of stripes, so memory stays bounded and two keys
// rarely wait for each other. Writers in other processes are not covered: each store says what
// decides then.
type keyLocks struct {
	stripes []sync.Mutex
}

func newKeyLocks(stripes int) *keyLocks { return &keyLocks{stripes: make([]sync.Mutex, stripes)} }

// lock takes key's stripe and returns its unlock.
func (k *keyLocks) lock(key string) (unlock func()) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	m := &k.stripes[h.Sum32()%uint32(len(k.stripes))]
	m.Lock()
	return m.Unlock
}
