package backup

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Client-side encryption is a chunked AES-256-GCM stream, so neither side holds more than a
// chunk: a header ("FLOTENC1" and a 32-byte random salt; the object key is HKDF-SHA256 of the
// master key and the salt), then chunks of up to 64 KiB of plaintext, each sealed with nonce =
// 11-byte big-endian chunk counter || final flag. Reordered, dropped or truncated chunks fail
// authentication.

const (
	cryptMagic = "FLOTENC1"
	saltSize   = 32
	chunkSize  = 64 << 10
)

// Key is a 256-bit master key.
type Key [32]byte

// ReadKeyFile reads a key written as base64 or hex of 32 random bytes (openssl rand -base64 32).
func ReadKeyFile(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	s := strings.TrimSpace(string(b))
	for _, dec := range []func(string) ([]byte, error){base64.StdEncoding.DecodeString, base64.URLEncoding.DecodeString, hex.DecodeString} {
		if raw, err := dec(s); err == nil && len(raw) == 32 {
			var k Key
			copy(k[:], raw)
			return &k, nil
		}
	}
	return nil, fmt.Errorf("encryption key in %s: want 32 random bytes as base64 or hex (openssl rand -base64 32)", path)
}

func (k *Key) aead(salt []byte) (cipher.AEAD, error) {
	sub, err := hkdf.Key(sha256.New, k[:], salt, "flotilla-backup v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sub)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func nonce(n uint64, final bool) []byte {
	var b [12]byte
	binary.BigEndian.PutUint64(b[3:11], n)
	if final {
		b[11] = 1
	}
	return b[:]
}

// encrypter seals what is written to it onto w; Close seals the final chunk.
type encrypter struct {
	w    io.Writer
	aead cipher.AEAD
	buf  []byte
	out  []byte
	n    uint64
}

func newEncrypter(w io.Writer, k *Key) (*encrypter, error) {
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	a, err := k.aead(salt)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(append([]byte(cryptMagic), salt...)); err != nil {
		return nil, err
	}
	return &encrypter{w: w, aead: a, buf: make([]byte, 0, chunkSize), out: make([]byte, 0, chunkSize+a.Overhead())}, nil
}

func (e *encrypter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		// A full chunk is sealed only when more data follows, so the last one carries the flag.
		if len(e.buf) == chunkSize {
			if err := e.seal(false); err != nil {
				return written, err
			}
		}
		n := copy(e.buf[len(e.buf):chunkSize], p)
		e.buf = e.buf[:len(e.buf)+n]
		p, written = p[n:], written+n
	}
	return written, nil
}

func (e *encrypter) seal(final bool) error {
	e.out = e.aead.Seal(e.out[:0], nonce(e.n, final), e.buf, nil)
	e.n++
	e.buf = e.buf[:0]
	_, err := e.w.Write(e.out)
	return err
}

// Close seals the final chunk (possibly empty); it does not close the underlying writer.
func (e *encrypter) Close() error { return e.seal(true) }

// ErrDecrypt reports a wrong key or a damaged encrypted backup.
var ErrDecrypt = errors.New("decryption failed: wrong encryption key, or the backup is damaged")

// decrypter opens the stream written by an encrypter.
type decrypter struct {
	r    *bufio.Reader
	aead cipher.AEAD
	in   []byte
	out  []byte // plaintext not yet read
	buf  []byte // reused plaintext buffer
	n    uint64
	done bool
}

func newDecrypter(r io.Reader, k *Key) (*decrypter, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head := make([]byte, len(cryptMagic)+saltSize)
	if _, err := io.ReadFull(br, head); err != nil {
		return nil, fmt.Errorf("encrypted backup header: %w", err)
	}
	if string(head[:len(cryptMagic)]) != cryptMagic {
		return nil, fmt.Errorf("%w (not a Flotilla encrypted backup)", ErrDecrypt)
	}
	a, err := k.aead(head[len(cryptMagic):])
	if err != nil {
		return nil, err
	}
	return &decrypter{r: br, aead: a, in: make([]byte, chunkSize+a.Overhead())}, nil
}

func (d *decrypter) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.done {
			return 0, io.EOF
		}
		n, err := io.ReadFull(d.r, d.in)
		final := false
		switch {
		case err == io.ErrUnexpectedEOF || err == io.EOF:
			final = true
		case err != nil:
			return 0, err
		default:
			if _, perr := d.r.Peek(1); perr == io.EOF {
				final = true
			} else if perr != nil {
				return 0, perr
			}
		}
		plain, oerr := d.aead.Open(d.buf[:0], nonce(d.n, final), d.in[:n], nil)
		if oerr != nil {
			return 0, ErrDecrypt
		}
		d.n++
		d.buf, d.out, d.done = plain, plain, final
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}
