package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore"
)

func init() {
	commands["user"] = command{"manage staff accounts (user list|add|disable|enable|role|reset)", runUser}
}

// userUsage is `haven user -h`.
const userUsage = `Usage: haven user COMMAND [flags]

Commands:
  list      list every account: username, role, state, two-step sign-in, id
  add       add an account (its password from a prompt or standard input,
            or --start link|temporary to let the user set it)
  disable   disable an account; its sessions and API tokens end at once
  enable    enable a disabled account
  role      change an account's role; its sessions and API tokens end
  reset     reset an account's two-step sign-in (--two-step), or give it a
            new set-password link (--link) or temporary password (--temporary)

Each command takes --data (or the store flags) and -h for its own help.

Example:
  haven user add --username ada --role admin
  haven user add --username nurse.fl --role clinician --start link --url https://haven.example.org
  haven user role --username nurse.fl --role supervisor
  haven user reset --username nurse.fl --two-step`

var userCommands = map[string]func(*Main, context.Context, []string) error{
	"list": runUserList, "add": runUserAdd, "disable": runUserDisable, "enable": runUserEnable,
	"role": runUserRole, "reset": runUserReset,
}

func runUser(m *Main, ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(m.Stdout, userUsage)
		return nil
	}
	if len(args) > 0 {
		if fn, ok := userCommands[args[0]]; ok {
			return fn(m, ctx, args[1:])
		}
	}
	return usageError{"user: expected one of list, add, disable, enable, role, reset (see haven user -h)"}
}

func runUserAdd(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "user add", "user add --username NAME --role ROLE [--display-name NAME] [--organization ID] [--start link|temporary [--url URL]] [--service-account]\n\n"+
		"Without --start, the password is read from a prompt, or from the first line of standard input when it is\n"+
		"not a terminal; never from a flag. With --start link, the user sets their password by a one-time link\n"+
		"(72 hours); with --start temporary, a temporary password is printed, which they change at first sign-in.\n"+
		"Either is printed once and not stored. A service account (--service-account) has no password and never\n"+
		"signs in: machine clients act as it through API tokens (haven token create). Roles: "+rolesList(),
		"printf '%s\\n' \"$PASSWORD\" | haven user add --username ada --role admin")
	var sf storeFlags
	var nu haven.NewUser
	var role, start, base string
	sf.register(fs)
	fs.StringVar(&nu.Username, "username", "", "sign-in name (3-64 letters, digits, . - _)")
	fs.StringVar(&role, "role", "", "role: "+rolesList())
	fs.StringVar(&nu.DisplayName, "display-name", "", "name shown in the interface")
	fs.StringVar(&nu.OrganizationID, "organization", "", "receiving organization ID (partners only)")
	fs.StringVar(&start, "start", "", "link or temporary: let the user set the password (default: read it now)")
	fs.StringVar(&base, "url", "", "Haven's address, to print the whole set-password link (with --start link)")
	service := fs.Bool("service-account", false, "a service account for a machine client: no password, tokens only")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	nu.Role = haven.Role(role)
	if *service {
		return m.addServiceAccount(ctx, &sf, haven.NewServiceAccount{Username: nu.Username, DisplayName: nu.DisplayName,
			Role: nu.Role, OrganizationID: nu.OrganizationID})
	}
	if start != "" {
		return addWithoutPassword(m, ctx, &sf, haven.NewAccount{Username: nu.Username, DisplayName: nu.DisplayName,
			Role: nu.Role, OrganizationID: nu.OrganizationID, Start: start}, base)
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

// addWithoutPassword adds an account whose user sets the password.
func addWithoutPassword(m *Main, ctx context.Context, sf *storeFlags, a haven.NewAccount, base string) error {
	if err := a.Validate(); err != nil {
		return fieldErrorLine(err)
	}
	db, err := m.openStore(ctx, sf, true)
	if err != nil {
		return err
	}
	u, first, err := sqlstore.NewUserAdminService(db).AddUser(haven.WithSystem(ctx, access.JobUserAdd), a)
	if err != nil {
		return fieldErrorLine(err)
	}
	fmt.Fprintf(m.Stdout, "created %s %s (id %s)\n", u.Role, u.Username, u.ID)
	printFirstPassword(m, first, base)
	return nil
}

func printFirstPassword(m *Main, first *haven.FirstPassword, base string) {
	if first.Temporary != "" {
		fmt.Fprintf(m.Stdout, "temporary password (shown once; changed at first sign-in): %s\n", first.Temporary)
		return
	}
	fmt.Fprintf(m.Stdout, "set-password link (works once, until %s): %s/set-password/%s\n",
		first.ExpiresAt.Format("2006-01-02 15:04 MST"), strings.TrimRight(base, "/"), first.Token)
}

// userFlags parses the flags every command on one user shares.
func userFlags(m *Main, name, usage, example string, args []string, extra func(*flag.FlagSet)) (*storeFlags, string, error) {
	fs := newFlagSet(m, "user "+name, "user "+name+" --username NAME"+usage, example)
	var sf storeFlags
	var username string
	sf.register(fs)
	fs.StringVar(&username, "username", "", "the account's sign-in name")
	if extra != nil {
		extra(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, "", err
	}
	if username == "" {
		return nil, "", usageError{"user " + name + ": --username is required (see haven user " + name + " -h)"}
	}
	return &sf, username, nil
}

// findUser opens the store and finds username's account.
func (m *Main) findUser(ctx context.Context, sf *storeFlags, username string) (*sqlstore.UserAdminService, *haven.Account, error) {
	db, err := m.openStore(ctx, sf, false)
	if err != nil {
		return nil, nil, err
	}
	svc := sqlstore.NewUserAdminService(db)
	list, err := svc.Users(haven.WithSystem(ctx, access.JobUserAdmin))
	if err != nil {
		return nil, nil, err
	}
	for i := range list {
		if strings.EqualFold(list[i].Username, username) {
			return svc, &list[i], nil
		}
	}
	return nil, nil, haven.Errorf(haven.NotFound, "--username: no account is named %q", username)
}

func runUserList(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "user list", "user list\n\nLists every account: username, role, state, two-step sign-in and id.", "haven user list --data /var/lib/haven")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := m.openStore(ctx, &sf, false)
	if err != nil {
		return err
	}
	list, err := sqlstore.NewUserAdminService(db).Users(haven.WithSystem(ctx, access.JobUserAdmin))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tROLE\tSTATE\tTWO-STEP\tID")
	for _, a := range list {
		state := "active"
		switch {
		case a.Disabled:
			state = "disabled"
		case a.LinkPending:
			state = "link-pending"
		case a.MustChangePassword:
			state = "temporary-password"
		}
		twoStep := "off"
		if a.TOTPEnabled {
			twoStep = "on"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Username, a.Role, state, twoStep, a.ID)
	}
	return tw.Flush()
}

func runUserDisable(m *Main, ctx context.Context, args []string) error {
	return setDisabled(m, ctx, args, true)
}

func runUserEnable(m *Main, ctx context.Context, args []string) error {
	return setDisabled(m, ctx, args, false)
}

func setDisabled(m *Main, ctx context.Context, args []string, disabled bool) error {
	name, what := "enable", "enabled"
	usage := "\n\nEnables a disabled account."
	if disabled {
		name, what = "disable", "disabled; its sessions and API tokens have ended"
		usage = "\n\nDisables an account: every session and API token of the user ends at once."
	}
	sf, username, err := userFlags(m, name, usage, "haven user "+name+" --username nurse.fl", args, nil)
	if err != nil {
		return err
	}
	svc, a, err := m.findUser(ctx, sf, username)
	if err != nil {
		return err
	}
	if err := svc.SetUserDisabled(haven.WithSystem(ctx, access.JobUserAdmin), a.ID, disabled); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s %s\n", a.Username, what)
	return nil
}

func runUserRole(m *Main, ctx context.Context, args []string) error {
	var role, org string
	sf, username, err := userFlags(m, "role", " --role ROLE [--organization ID]\n\nChanges an account's role; its sessions and API tokens end. Roles: "+rolesList(),
		"haven user role --username nurse.fl --role supervisor", args, func(fs *flag.FlagSet) {
			fs.StringVar(&role, "role", "", "the new role: "+rolesList())
			fs.StringVar(&org, "organization", "", "receiving organization ID (partners only)")
		})
	if err != nil {
		return err
	}
	svc, a, err := m.findUser(ctx, sf, username)
	if err != nil {
		return err
	}
	if err := svc.SetUserRole(haven.WithSystem(ctx, access.JobUserAdmin), a.ID, haven.Role(role), org); err != nil {
		return fieldErrorLine(err)
	}
	fmt.Fprintf(m.Stdout, "%s is now %s; their sessions and API tokens have ended\n", a.Username, role)
	return nil
}

func runUserReset(m *Main, ctx context.Context, args []string) error {
	var twoStep, link, temporary bool
	var base string
	sf, username, err := userFlags(m, "reset", " (--two-step | --link [--url URL] | --temporary)\n\n"+
		"--two-step turns the account's two-step sign-in off and drops its recovery codes: the user sets it up\n"+
		"again at next sign-in. --link and --temporary give a user who forgot their password a new one-time\n"+
		"set-password link or a temporary password, printed once; the old password stops working. Each ends\n"+
		"the user's sessions and API tokens.",
		"haven user reset --username nurse.fl --two-step", args, func(fs *flag.FlagSet) {
			fs.BoolVar(&twoStep, "two-step", false, "reset two-step sign-in")
			fs.BoolVar(&link, "link", false, "reset the password: a new set-password link")
			fs.BoolVar(&temporary, "temporary", false, "reset the password: a temporary password")
			fs.StringVar(&base, "url", "", "Haven's address, to print the whole set-password link")
		})
	if err != nil {
		return err
	}
	chosen := 0
	for _, b := range []bool{twoStep, link, temporary} {
		if b {
			chosen++
		}
	}
	if chosen != 1 {
		return usageError{"user reset: give exactly one of --two-step, --link and --temporary (see haven user reset -h)"}
	}
	svc, a, err := m.findUser(ctx, sf, username)
	if err != nil {
		return err
	}
	job := haven.WithSystem(ctx, access.JobUserAdmin)
	if twoStep {
		if err := svc.ResetTwoStep(job, a.ID); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: two-step sign-in reset; they set it up again at next sign-in\n", a.Username)
		return nil
	}
	start := haven.StartLink
	if temporary {
		start = haven.StartTemporary
	}
	first, err := svc.ResetPassword(job, a.ID, start)
	if err != nil {
		return fieldErrorLine(err)
	}
	fmt.Fprintf(m.Stdout, "%s: password reset; their sessions and API tokens have ended\n", a.Username)
	printFirstPassword(m, first, base)
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

// flagFields maps the fields of a store error that a flag sets to that
// flag; any other field (the password, read from a prompt) is named
// without dashes.
var flagFields = map[string]string{"username": "username", "role": "role", "display_name": "display-name",
	"organization": "organization", "start": "start", "scopes": "scopes", "lifetime": "expires", "name": "name"}

// fieldErrorLine turns a field error into one line naming the field: as
// its flag when there is one.
func fieldErrorLine(err error) error {
	for field, problem := range haven.ErrorFields(err) {
		if flag, ok := flagFields[field]; ok {
			return haven.Errorf(haven.Invalid, "--%s: %s", flag, problem)
		}
		return haven.Errorf(haven.Invalid, "%s: %s", strings.ReplaceAll(field, "_", " "), problem)
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
