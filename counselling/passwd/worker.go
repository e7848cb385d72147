package passwd

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"

	"confidant/counselling/passwd/argon2"
)

// A password hash can run in a process of its own, at the lowest CPU
// priority. A login flood then hashes only with the time the cores have
// left over: the kernel runs the pages of the people already logged in
// first, and neither the hash's memory nor its collector's pauses are the
// office's. (Inside the office's own process a hash holds one of the Go
// scheduler's processors, which no kernel priority can give back to the
// pages.)
//
// The office and its hashing process speak over the process's standard
// input and output, one request at a time: a request is the argon2id
// parameters, the salt and the password; the answer is the key. Nothing is
// written anywhere else, and the process ends when its input closes, as
// when the office stops or is killed.

// Bounds on a request, so that a broken or hostile peer cannot make either
// side allocate without limit.
const (
	maxWorkerPassword = 1 << 16
	maxWorkerSalt     = 1 << 10
	maxWorkerKey      = 1 << 10
	maxWorkerMemory   = 1 << 22 // KiB: 4 GiB
)

// keyer computes one argon2id key; each hashing slot owns one.
type keyer interface {
	key(password, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) ([]byte, error)
}

// inProcess hashes in the office's own process, keeping its work area.
type inProcess struct{ m *argon2.Memory }

func (k inProcess) key(password, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) ([]byte, error) {
	return k.m.IDKey(password, salt, passes, memory, threads, keyLen), nil
}

// request is one hash asked of a hashing process.
type request struct {
	Time, Memory, KeyLen uint32
	Threads              uint8
	Salt, Password       []byte
}

func (r request) valid() error {
	switch {
	case r.Time == 0 || r.Threads == 0 || r.Memory < 8*uint32(r.Threads) || r.Memory > maxWorkerMemory:
		return errors.New("argon2 parameters out of range")
	case r.KeyLen == 0 || r.KeyLen > maxWorkerKey:
		return errors.New("key length out of range")
	case len(r.Salt) > maxWorkerSalt || len(r.Password) > maxWorkerPassword:
		return errors.New("salt or password too long")
	}
	return nil
}

func writeRequest(w io.Writer, r request) error {
	head := make([]byte, 0, 21)
	head = binary.BigEndian.AppendUint32(head, r.Time)
	head = binary.BigEndian.AppendUint32(head, r.Memory)
	head = binary.BigEndian.AppendUint32(head, r.KeyLen)
	head = append(head, r.Threads)
	head = binary.BigEndian.AppendUint32(head, uint32(len(r.Salt)))
	head = binary.BigEndian.AppendUint32(head, uint32(len(r.Password)))
	for _, b := range [][]byte{head, r.Salt, r.Password} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func readRequest(rd io.Reader) (request, error) {
	var head [21]byte
	if _, err := io.ReadFull(rd, head[:]); err != nil {
		return request{}, err
	}
	r := request{
		Time:    binary.BigEndian.Uint32(head[0:]),
		Memory:  binary.BigEndian.Uint32(head[4:]),
		KeyLen:  binary.BigEndian.Uint32(head[8:]),
		Threads: head[12],
	}
	saltLen, pwLen := binary.BigEndian.Uint32(head[13:]), binary.BigEndian.Uint32(head[17:])
	if saltLen > maxWorkerSalt || pwLen > maxWorkerPassword {
		return request{}, errors.New("salt or password too long")
	}
	r.Salt, r.Password = make([]byte, saltLen), make([]byte, pwLen)
	if _, err := io.ReadFull(rd, r.Salt); err != nil {
		return request{}, unexpected(err)
	}
	if _, err := io.ReadFull(rd, r.Password); err != nil {
		return request{}, unexpected(err)
	}
	return r, r.valid()
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ServeWorker is the hashing process: it answers requests from r on w,
// one at a time, until r ends (nil) or a request cannot be read (an error;
// the office then starts another process).
func ServeWorker(r io.Reader, w io.Writer) error {
	in, out := bufio.NewReader(r), bufio.NewWriter(w)
	m := new(argon2.Memory)
	for {
		req, err := readRequest(in)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("hash worker: %w", err)
		}
		key := m.IDKey(req.Password, req.Salt, req.Time, req.Memory, req.Threads, req.KeyLen)
		clear(req.Password)
		if _, err := out.Write(binary.BigEndian.AppendUint32(nil, uint32(len(key)))); err != nil {
			return err
		}
		if _, err := out.Write(key); err != nil {
			return err
		}
		if err := out.Flush(); err != nil {
			return err
		}
	}
}

// process is a hashing slot served by a process of its own, started by
// start and started again when it fails. A hash it cannot get from a
// process is made in the office's own process, so no login fails for the
// want of one.
type process struct {
	start    func() *exec.Cmd
	fallback inProcess

	mu  sync.Mutex // one hash at a time; a slot is held by one caller anyway
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	// retryAt is when a process is tried again after one failed: a
	// process that cannot start or dies at once is not started again
	// for every hash.
	retryAt time.Time
}

// retryAfter is how long a slot hashes in the office's own process after
// its process failed.
const retryAfter = time.Minute

func (p *process) key(password, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	req := request{Time: passes, Memory: memory, KeyLen: keyLen, Threads: threads, Salt: salt, Password: password}
	if err := req.valid(); err != nil {
		return nil, err
	}
	if time.Now().After(p.retryAt) {
		key, err := p.ask(req)
		if err == nil {
			return key, nil
		}
		p.stop()
		p.retryAt = time.Now().Add(retryAfter)
	}
	if p.fallback.m == nil {
		p.fallback.m = new(argon2.Memory)
	}
	return p.fallback.key(password, salt, passes, memory, threads, keyLen)
}

// ask sends req to the process, starting it first if none runs.
func (p *process) ask(req request) ([]byte, error) {
	if p.cmd == nil {
		if err := p.spawn(); err != nil {
			return nil, err
		}
	}
	if err := writeRequest(p.in, req); err != nil {
		return nil, err
	}
	var n [4]byte
	if _, err := io.ReadFull(p.out, n[:]); err != nil {
		return nil, err
	}
	if l := binary.BigEndian.Uint32(n[:]); l != req.KeyLen {
		return nil, fmt.Errorf("hash worker answered %d bytes, want %d", l, req.KeyLen)
	}
	key := make([]byte, req.KeyLen)
	if _, err := io.ReadFull(p.out, key); err != nil {
		return nil, err
	}
	return key, nil
}

func (p *process) spawn() error {
	cmd := p.start()
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	p.cmd, p.in, p.out = cmd, in, bufio.NewReader(out)
	return nil
}

// stop ends the process (closing its input ends it) and waits for it.
func (p *process) stop() {
	if p.cmd == nil {
		return
	}
	p.in.Close()
	p.cmd.Process.Kill()
	p.cmd.Wait()
	p.cmd = nil
}
