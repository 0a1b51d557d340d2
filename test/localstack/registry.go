package localstack

import (
	"errors"
	"strconv"
)

var errGatewayClosed = errors.New("the gateway is closed")

// register gives p an id and starts it with start, unless the gateway is
// closed; then p is reachable through the Runtime API.
func (g *gateway) register(p *process, start func(id string) error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return errGatewayClosed
	}
	g.lastID++
	id := strconv.Itoa(g.lastID)
	if err := start(id); err != nil {
		return err
	}
	g.processes[id] = p
	return nil
}

func (g *gateway) unregister(p *process) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.processes, p.id)
}

// process returns the running process with the id.
func (g *gateway) process(id string) (*process, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.processes[id]
	return p, ok
}

func (g *gateway) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// goAsync runs fn in a goroutine that wait waits for, unless the gateway is
// closed.
func (g *gateway) goAsync(fn func()) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.async.Add(1)
	go func() {
		defer g.async.Done()
		fn()
	}()
	return true
}

// close stops new processes and kills every running one, and returns when
// all have exited.
func (g *gateway) close() {
	g.mu.Lock()
	g.closed = true
	procs := make([]*process, 0, len(g.processes))
	for _, p := range g.processes {
		procs = append(procs, p)
	}
	g.mu.Unlock()
	for _, p := range procs {
		p.kill()
	}
	for _, p := range procs {
		<-p.exited
	}
}

// wait returns when every Event invocation has ended.
func (g *gateway) wait() { g.async.Wait() }
