// Command haven runs Haven: survivor-centred care coordination for the
// healthcare workers and advocates who meet victims of human trafficking.
//
// Usage: haven <command> [flags]; "haven help" lists the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
	_ "time/tzdata" // --time-zone works on a machine without a zone database: one static binary

	"github.com/haven-care/haven"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	m.Close()
	os.Exit(exitCode(m.Stderr, err))
}

// Main holds what every subcommand shares: its standard streams, so that
// tests can run commands in-process.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// closers run at Close, in reverse order.
	closers []func() error
}

// NewMain returns a Main on the process's standard streams.
func NewMain() *Main { return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr} }

// Close releases what the command opened.
func (m *Main) Close() error {
	var errs []error
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i]())
	}
	m.closers = nil
	return errors.Join(errs...)
}

func (m *Main) onClose(f func() error) { m.closers = append(m.closers, f) }

// command is one subcommand: its one-line summary and what runs it.
type command struct {
	summary string
	run     func(m *Main, ctx context.Context, args []string) error
}

// commands is filled by each subcommand's file.
var commands = map[string]command{}

// Run runs the subcommand named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		m.printHelp(m.Stderr)
		return usageError{"no command given"}
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "-help" {
		name = "help"
	}
	cmd, ok := commands[name]
	if !ok {
		return usageError{fmt.Sprintf("unknown command %q (run \"haven help\")", args[0])}
	}
	return cmd.run(m, ctx, args[1:])
}

func (m *Main) printHelp(w io.Writer) {
	fmt.Fprint(w, "Haven: survivor-centred care coordination.\n\nUsage: haven <command> [flags]\n\nCommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, "\nEvery command has -h with an example. Flags may also come from HAVEN_<FLAG> environment\n"+
		"variables (HAVEN_DATA, HAVEN_DB, ...) or a JSON config file named by --config or HAVEN_CONFIG.\n")
}

func init() {
	commands["help"] = command{"show this help", func(m *Main, _ context.Context, args []string) error {
		if len(args) > 0 {
			if c, ok := commands[args[0]]; ok {
				return c.run(m, context.Background(), []string{"-h"})
			}
		}
		m.printHelp(m.Stdout)
		return nil
	}}
}

// usageError is a mistake in how the command was called; it exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitCode prints err as one clear line and returns the exit status.
func exitCode(stderr io.Writer, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, context.Canceled) {
		return 130
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "haven: "+ue.msg)
		return 2
	}
	var he *haven.Error
	if errors.As(err, &he) && he.Kind != haven.Internal {
		fmt.Fprintln(stderr, "haven: "+he.Message)
		return 1
	}
	fmt.Fprintln(stderr, "haven: "+err.Error())
	return 1
}
