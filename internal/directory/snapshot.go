package directory

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
	"os"
	"path/filepath"
)

// A snapshot is the compact index written to a file, so that a restart
// reads it back instead of decoding every directory record again. It holds
// only public sites (see Public). Layout, little-endian:
//
//	"HAVENIDX" | format uint32 | directory version int64 | source (uvarint length, bytes)
//	| interned terms, languages, communities, time zones | hours patterns | extra set members
//	| ID arena | display arena | sites (fixed 73-byte records)
//	| sealed section (uvarint length, bytes: opaque, the caller's)
//	| CRC-32C of everything before it, uint32
//
// A file whose checksum, format or structure is wrong is refused whole: a
// snapshot is never trusted in part.

// SnapshotFormat is the version of the snapshot layout; a file of another
// format is refused and rebuilt.
const SnapshotFormat = 1

const snapshotMagic = "HAVENIDX"

// SnapshotInfo says what a snapshot was built from: the directory version
// it reflects and the store it was read from (an opaque fingerprint, so
// that a snapshot of one database is never loaded for another). Sealed is
// a section the caller keeps in the file as it is: live keeps there the
// confidential sites, encrypted by the store.
type SnapshotInfo struct {
	Version int64
	Source  string
	Sealed  []byte
}

// ErrSnapshotCorrupt is returned for a snapshot that is truncated, fails
// its checksum or does not decode; ErrSnapshotFormat for one written in
// another format.
var (
	ErrSnapshotCorrupt = errors.New("directory snapshot is corrupt")
	ErrSnapshotFormat  = errors.New("directory snapshot has another format")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteSnapshot writes the public sites of x (see Public) to path,
// atomically: a temporary file beside it is written, synced and renamed
// over path, so a crash leaves the old snapshot or the new one, never a
// mix. The file is readable by its owner only.
func (x *Index) WriteSnapshot(path string, info SnapshotInfo) error {
	p := x.Public()
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write directory snapshot: %w", err)
	}
	defer os.Remove(f.Name()) // after the rename, there is nothing to remove
	w := &encoder{w: bufio.NewWriterSize(f, 1<<20)}
	p.encode(w, info)
	if err := w.finish(); err != nil {
		f.Close()
		return fmt.Errorf("write directory snapshot: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write directory snapshot: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write directory snapshot: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write directory snapshot: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync() // the rename itself durable, where the system allows
		d.Close()
	}
	return nil
}

func (x *Index) encode(w *encoder, info SnapshotInfo) {
	w.bytes([]byte(snapshotMagic))
	w.u32(SnapshotFormat)
	w.u64(uint64(info.Version))
	w.str(info.Source)
	for _, names := range [][]string{x.terms.names, x.langs.names, x.comms.names, x.zoneNames()} {
		w.uvarint(uint64(len(names)))
		for _, s := range names {
			w.str(s)
		}
	}
	w.uvarint(uint64(len(x.patterns)))
	for _, p := range x.patterns {
		w.uvarint(uint64(len(p)))
		for _, s := range p {
			w.u32(uint32(s.from))
			w.u32(uint32(s.to))
		}
	}
	w.uvarint(uint64(len(x.ext)))
	for _, e := range x.ext {
		for _, set := range [][]uint32{e.terms, e.langs, e.comms} {
			w.uvarint(uint64(len(set)))
			for _, id := range set {
				w.uvarint(uint64(id))
			}
		}
	}
	w.uvarint(uint64(len(x.ids)))
	w.bytes(x.ids)
	w.uvarint(uint64(len(x.disp)))
	w.bytes(x.disp)
	w.uvarint(uint64(len(x.recs)))
	for i := range x.recs {
		w.rec(&x.recs[i])
	}
	w.uvarint(uint64(len(info.Sealed)))
	w.bytes(info.Sealed)
}

// ReadSnapshot reads the index written to path by WriteSnapshot, with what
// it was built from. Errors: one wrapping os.ErrNotExist when there is no
// snapshot, ErrSnapshotFormat, ErrSnapshotCorrupt.
func ReadSnapshot(path string) (*Index, SnapshotInfo, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, SnapshotInfo{}, fmt.Errorf("read directory snapshot: %w", err)
	}
	if len(b) < len(snapshotMagic)+8 || string(b[:len(snapshotMagic)]) != snapshotMagic {
		return nil, SnapshotInfo{}, fmt.Errorf("%w: %s is not a snapshot or is truncated", ErrSnapshotCorrupt, path)
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, SnapshotInfo{}, fmt.Errorf("%w: %s fails its checksum (truncated or damaged)", ErrSnapshotCorrupt, path)
	}
	d := &decoder{b: body, off: len(snapshotMagic)}
	if f := d.u32(); f != SnapshotFormat {
		return nil, SnapshotInfo{}, fmt.Errorf("%w: %s is format %d, this Haven reads %d", ErrSnapshotFormat, path, f, SnapshotFormat)
	}
	info := SnapshotInfo{Version: int64(d.u64()), Source: d.str()}
	x, err := decodeIndex(d)
	if err == nil {
		info.Sealed = d.bytes(d.count(1))
		err = d.end()
	}
	if err != nil {
		return nil, SnapshotInfo{}, fmt.Errorf("%w: %s: %v", ErrSnapshotCorrupt, path, err)
	}
	return x, info, nil
}

func decodeIndex(d *decoder) (*Index, error) {
	x := NewEmpty()
	x.terms, x.langs, x.comms = d.interner(), d.interner(), d.interner()
	x.zones, x.zoneIDs = nil, map[string]uint16{}
	zones := d.strs()
	for i, name := range zones {
		if x.zone(name) != uint16(i) {
			return nil, fmt.Errorf("time zone %q twice", name)
		}
	}
	x.patterns, x.patText, x.patIDs = nil, nil, map[string]uint32{}
	for i, n := 0, d.count(1); i < n && d.err == nil; i++ {
		p := make(pattern, d.count(8))
		for k := range p {
			p[k] = span{int32(d.u32()), int32(d.u32())}
		}
		if _, dup := x.patIDs[p.key()]; dup || (i == 0) != (len(p) == 0) {
			return nil, fmt.Errorf("hours pattern %d twice or misplaced", i)
		}
		x.addPattern(p, p.key())
	}
	x.ext = make([]extSets, d.count(3))
	for i := range x.ext {
		x.ext[i] = extSets{d.ids(len(x.terms.names)), d.ids(len(x.langs.names)), d.ids(len(x.comms.names))}
	}
	x.ids = d.bytes(d.count(1))
	x.disp = d.bytes(d.count(1))
	x.recs = make([]rec, d.count(73))
	for i := range x.recs {
		d.rec(&x.recs[i])
	}
	if d.err != nil {
		return nil, d.err
	}
	x.byHash = make(map[uint64]int32, len(x.recs))
	for i := range x.recs {
		if err := x.check(&x.recs[i]); err != nil {
			return nil, fmt.Errorf("site %d: %v", i, err)
		}
		x.link(int32(i))
	}
	return x, nil
}

// check reports a site whose references fall outside the index, so that
// no query can index past a slice.
func (x *Index) check(r *rec) error {
	switch {
	case int(r.idOff)+int(r.svcLen)+int(r.locLen) > len(x.ids):
		return errors.New("IDs out of range")
	case !validDisplay(x.disp, r.disp):
		return errors.New("display out of range")
	case int(r.ext) > len(x.ext):
		return errors.New("set out of range")
	case bits.Len64(r.terms) > len(x.terms.names) || bits.Len64(r.langs) > len(x.langs.names) || bits.Len64(r.comms) > len(x.comms.names):
		return errors.New("set member out of range")
	case int(r.tz) >= len(x.zones) || int(r.hours) >= len(x.patterns):
		return errors.New("time zone or hours out of range")
	case r.flags&fDead != 0:
		return errors.New("a removed site")
	}
	return nil
}

// validDisplay reports whether the five length-prefixed fields at off lie
// within b.
func validDisplay(b []byte, off uint32) bool {
	if int(off) > len(b) {
		return false
	}
	b = b[off:]
	for range 5 {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return false
		}
		b = b[k+int(n):]
	}
	return true
}

// encoder writes a snapshot and its running checksum; the first write
// error is kept and returned by finish.
type encoder struct {
	w   *bufio.Writer
	crc uint32
	buf []byte
	err error
}

func (e *encoder) flush() {
	e.crc = crc32.Update(e.crc, castagnoli, e.buf)
	if _, err := e.w.Write(e.buf); err != nil && e.err == nil {
		e.err = err
	}
	e.buf = e.buf[:0]
}

func (e *encoder) grow() {
	if len(e.buf) > 1<<16 {
		e.flush()
	}
}

func (e *encoder) bytes(b []byte) {
	e.flush()
	e.crc = crc32.Update(e.crc, castagnoli, b)
	if _, err := e.w.Write(b); err != nil && e.err == nil {
		e.err = err
	}
}

func (e *encoder) u32(v uint32)     { e.buf = binary.LittleEndian.AppendUint32(e.buf, v); e.grow() }
func (e *encoder) u64(v uint64)     { e.buf = binary.LittleEndian.AppendUint64(e.buf, v); e.grow() }
func (e *encoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v); e.grow() }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.buf = append(e.buf, s...); e.grow() }

func (e *encoder) rec(r *rec) {
	b := e.buf
	for _, f := range [...]float32{r.x, r.y, r.z} {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	b = binary.LittleEndian.AppendUint64(b, r.terms)
	b = binary.LittleEndian.AppendUint64(b, r.langs)
	b = binary.LittleEndian.AppendUint64(b, r.comms)
	b = binary.LittleEndian.AppendUint32(b, r.ext)
	b = binary.LittleEndian.AppendUint32(b, r.idOff)
	b = append(b, r.svcLen, r.locLen)
	b = binary.LittleEndian.AppendUint16(b, r.flags)
	b = append(b, r.genders, r.imm, r.barriers, r.insurance, r.docs, r.minAge, r.maxAge)
	b = binary.LittleEndian.AppendUint16(b, r.tz)
	b = binary.LittleEndian.AppendUint32(b, r.hours)
	b = binary.LittleEndian.AppendUint32(b, r.disp)
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(r.lat))
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(r.lon))
	e.buf = b
	e.grow()
}

// finish writes the checksum and flushes.
func (e *encoder) finish() error {
	e.flush()
	e.buf = binary.LittleEndian.AppendUint32(e.buf, e.crc)
	if _, err := e.w.Write(e.buf); err != nil && e.err == nil {
		e.err = err
	}
	if err := e.w.Flush(); err != nil && e.err == nil {
		e.err = err
	}
	return e.err
}

// decoder reads a snapshot's body; past its end or on a bad value it
// keeps the first error and returns zeros.
type decoder struct {
	b   []byte
	off int
	err error
}

// end reports the first error, or bytes left over.
func (d *decoder) end() error {
	if d.err == nil && d.off != len(d.b) {
		d.fail("%d bytes after the end", len(d.b)-d.off)
	}
	return d.err
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *decoder) take(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b)-d.off {
		d.fail("truncated at byte %d", d.off)
		return nil
	}
	b := d.b[d.off : d.off+n]
	d.off += n
	return b
}

func (d *decoder) u32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, k := binary.Uvarint(d.b[d.off:])
	if k <= 0 {
		d.fail("bad number at byte %d", d.off)
		return 0
	}
	d.off += k
	return v
}

// count reads a number of items of at least min bytes each, refusing one
// that the rest of the file cannot hold.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if n > uint64((len(d.b)-d.off)/min) {
		d.fail("count %d past the end at byte %d", n, d.off)
		return 0
	}
	return int(n)
}

func (d *decoder) bytes(n int) []byte { return append([]byte(nil), d.take(n)...) }
func (d *decoder) str() string        { return string(d.take(d.count(1))) }

func (d *decoder) strs() []string {
	out := make([]string, d.count(1))
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *decoder) interner() interner {
	n := newInterner()
	for _, s := range d.strs() {
		if _, dup := n.ids[s]; dup {
			d.fail("%q interned twice", s)
		}
		n.id(s)
	}
	return n
}

// ids reads a set's members past 63, each below limit.
func (d *decoder) ids(limit int) []uint32 {
	var out []uint32
	for i, n := 0, d.count(1); i < n; i++ {
		id := d.uvarint()
		if id < 64 || id >= uint64(limit) {
			d.fail("set member %d out of range", id)
		}
		out = append(out, uint32(id))
	}
	return out
}

func (d *decoder) rec(r *rec) {
	b := d.take(73)
	if b == nil {
		return
	}
	le := binary.LittleEndian
	r.x, r.y, r.z = math.Float32frombits(le.Uint32(b)), math.Float32frombits(le.Uint32(b[4:])), math.Float32frombits(le.Uint32(b[8:]))
	r.terms, r.langs, r.comms = le.Uint64(b[12:]), le.Uint64(b[20:]), le.Uint64(b[28:])
	r.ext, r.idOff = le.Uint32(b[36:]), le.Uint32(b[40:])
	r.svcLen, r.locLen, r.flags = b[44], b[45], le.Uint16(b[46:])
	r.genders, r.imm, r.barriers, r.insurance, r.docs, r.minAge, r.maxAge = b[48], b[49], b[50], b[51], b[52], b[53], b[54]
	r.tz, r.hours, r.disp = le.Uint16(b[55:]), le.Uint32(b[57:]), le.Uint32(b[61:])
	r.lat, r.lon = math.Float32frombits(le.Uint32(b[65:])), math.Float32frombits(le.Uint32(b[69:]))
}
