package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore"
)

func init() {
	commands["user"] = command{"manage staff accounts (user add)", runUser}
}

func runUser(m *Main, ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(m.Stdout, "Usage: haven user add --username NAME --role ROLE\n\nExample:\n  haven user add --username ada --role admin")
			return nil
		}
		return usageError{"user: expected \"haven user add\" (see haven user add -h)"}
	}
	return runUserAdd(m, ctx, args[1:])
}

func runUserAdd(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "user add", "user add --username NAME --role ROLE [--display-name NAME] [--organization ID] [--service-account]\n\n"+
		"The password is read from a prompt, or from the first line of standard input when it is not a terminal;\n"+
		"never from a flag. A service account (--service-account) has no password and never signs in: machine\n"+
		"clients act as it through API tokens (haven token create). Roles: "+rolesList(),
		"printf '%s\\n' \"$PASSWORD\" | haven user add --username ada --role admin")
	var sf storeFlags
	var nu haven.NewUser
	var role string
	sf.register(fs)
	fs.StringVar(&nu.Username, "username", "", "sign-in name (3-64 letters, digits, . - _)")
	fs.StringVar(&role, "role", "", "role: "+rolesList())
	fs.StringVar(&nu.DisplayName, "display-name", "", "name shown in the interface")
	fs.StringVar(&nu.OrganizationID, "organization", "", "receiving organization ID (partners only)")
	service := fs.Bool("service-account", false, "a service account for a machine client: no password, tokens only")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	nu.Role = haven.Role(role)
	if *service {
		return m.addServiceAccount(ctx, &sf, haven.NewServiceAccount{Username: nu.Username, DisplayName: nu.DisplayName,
			Role: nu.Role, OrganizationID: nu.OrganizationID})
	}
	if err := nu.Validate(); err != nil {
		return fieldErrorLine(err)
	}
	pw, err := m.readPassword()
	if err != nil {
		return err
	}
	nu.Password = pw
	db, err := m.openStore(ctx, &sf, true)
	if err != nil {
		return err
	}
	u, err := sqlstore.NewAccountService(db).CreateUser(haven.WithSystem(ctx, access.JobUserAdd), nu)
	if err != nil {
		return fieldErrorLine(err)
	}
	fmt.Fprintf(m.Stdout, "created %s %s (id %s)\n", u.Role, u.Username, u.ID)
	return nil
}

// addServiceAccount creates a service account (no password is read).
func (m *Main) addServiceAccount(ctx context.Context, sf *storeFlags, n haven.NewServiceAccount) error {
	if err := n.Validate(); err != nil {
		return fieldErrorLine(err)
	}
	db, err := m.openStore(ctx, sf, true)
	if err != nil {
		return err
	}
	u, err := sqlstore.NewAPITokenAdminService(db).CreateServiceAccount(haven.WithSystem(ctx, access.JobUserAdd), n)
	if err != nil {
		return fieldErrorLine(err)
	}
	fmt.Fprintf(m.Stdout, "created service account %s %s (id %s); issue its tokens with haven token create\n", u.Role, u.Username, u.ID)
	return nil
}

func rolesList() string {
	var names []string
	for _, r := range haven.Roles {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// fieldErrorLine turns a field error into one line naming the field.
func fieldErrorLine(err error) error {
	for field, problem := range haven.ErrorFields(err) {
		return haven.Errorf(haven.Invalid, "--%s: %s", strings.ReplaceAll(field, "_", "-"), problem)
	}
	return err
}

// readPassword prompts twice on a terminal, or reads one line from a pipe.
func (m *Main) readPassword() (string, error) {
	if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(m.Stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(m.Stderr, "Repeat password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", haven.Errorf(haven.Invalid, "the passwords do not match")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", haven.Errorf(haven.Invalid, "no password on standard input")
	}
	return line, nil
}
