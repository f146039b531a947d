package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/assayhq/assay/app"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/config"
)

func init() {
	commands["users"] = command{"manage staff accounts: create, list, disable, enable, reset-password", users}
}

const usersUsage = `Usage: assay users <action> [flags] [server flags]

Actions:
  create          --email E --name N --role admin|procurement|reviewer|viewer [--password P | --password-stdin]
  list
  disable         --email E
  enable          --email E
  reset-password  --email E [--password P | --password-stdin]

Without a password, create and reset-password generate one and print it.
The server flags and ASSAY_* variables (database, data folder) are those of
'assay serve'. With the embedded database (no ASSAY_MONGO_URI) stop the
server first: the embedded database serves one process at a time.
`

// userFlags are the flags of the users actions; every other flag is a
// server flag handed to config.Load.
var userFlags = map[string]bool{"email": true, "name": true, "role": true, "password": true, "password-stdin": false}

func users(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usersUsage)
		if len(args) == 0 {
			return errors.New("no action given")
		}
		return nil
	}
	action := args[0]
	switch action {
	case "create", "list", "disable", "enable", "reset-password":
	default:
		fmt.Fprint(stderr, usersUsage)
		return fmt.Errorf("unknown action %q", action)
	}
	own, rest := splitFlags(args[1:])
	fs := flag.NewFlagSet("users "+action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the account's email")
	name := fs.String("name", "", "the person's name (create)")
	role := fs.String("role", "", "admin, procurement, reviewer or viewer (create)")
	password := fs.String("password", "", "the password; prefer --password-stdin, which keeps it out of the process list")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(own); err != nil {
		return err
	}
	cfg, err := config.Load("users", rest, os.Getenv)
	if err != nil {
		return err
	}
	if *fromStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading the password: %w", err)
		}
		*password = strings.TrimRight(line, "\r\n")
	}
	if action != "list" && *email == "" {
		return errors.New("--email is required")
	}
	if err := embeddedServerStopped(ctx, cfg); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	openCtx, cancel := context.WithTimeout(ctx, startTimeout)
	a, err := app.Open(openCtx, cfg, log)
	cancel()
	if err != nil {
		return err
	}
	defer a.Close()
	for _, n := range a.Notices() {
		fmt.Fprintln(stdout, strings.TrimSpace(n))
	}
	u := &usersCmd{svc: a.Auth, out: stdout, by: cliActor()}
	switch action {
	case "create":
		return u.create(ctx, *email, *name, auth.Role(*role), *password)
	case "list":
		return u.list(ctx)
	case "disable", "enable":
		return u.setDisabled(ctx, *email, action == "disable")
	default:
		return u.resetPassword(ctx, *email, *password)
	}
}

// splitFlags separates the users flags from the server's, so both can be
// given on one command line in any order.
func splitFlags(args []string) (own, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takesValue, ok := userFlags[name]
		if !strings.HasPrefix(a, "-") || !ok {
			rest = append(rest, a)
			continue
		}
		own = append(own, a)
		if takesValue && !hasValue && i+1 < len(args) {
			i++
			own = append(own, args[i])
		}
	}
	return own, rest
}

// embeddedServerStopped refuses to open the embedded database while a
// server answers on the configured address: FerretDB on SQLite is not
// meant for two processes, and the second would see stale data.
func embeddedServerStopped(ctx context.Context, cfg *config.Config) error {
	if !cfg.EmbeddedMongo() {
		return nil
	}
	if err := probeHealth(ctx, cfg.Addr, time.Second); err != nil {
		return nil
	}
	return fmt.Errorf("an Assay server is running on %s with the embedded database in %s; stop it first "+
		"(the embedded database serves one process at a time), or manage users in the web UI at %s/app/users",
		cfg.Addr, cfg.DataDir, cfg.BaseURL)
}

func cliActor() audit.Actor {
	who := "unknown"
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	return audit.Actor{Kind: audit.KindSystem, ID: "cli:" + who}
}

type usersCmd struct {
	svc *auth.Service
	out io.Writer
	by  audit.Actor
}

func (u *usersCmd) create(ctx context.Context, email, name string, role auth.Role, password string) error {
	generated := password == ""
	if generated {
		password = auth.GeneratePassword()
	}
	acct, err := u.svc.CreateUser(ctx, u.by, auth.NewUser{Email: email, Name: name, Role: role, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(u.out, "created %s (%s, %s)\n", acct.Email, acct.Name, acct.Role)
	if generated {
		fmt.Fprintf(u.out, "password: %s\n", password)
	}
	return nil
}

func (u *usersCmd) list(ctx context.Context) error {
	tw := tabwriter.NewWriter(u.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSTATUS\tLAST SIGN-IN")
	for page := 1; ; page++ {
		list, total, err := u.svc.Users(ctx, auth.UserFilter{Page: page, Per: 200})
		if err != nil {
			return err
		}
		for _, x := range list {
			status, last := "active", "never"
			if x.Disabled {
				status = "disabled"
			}
			if !x.LastLoginAt.IsZero() {
				last = x.LastLoginAt.UTC().Format("2006-01-02 15:04 UTC")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", x.Email, x.Name, x.Role, status, last)
		}
		if int64(page*200) >= total {
			break
		}
	}
	return tw.Flush()
}

func (u *usersCmd) setDisabled(ctx context.Context, email string, disabled bool) error {
	acct, err := u.svc.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	if _, err := u.svc.SetDisabled(ctx, u.by, acct.ID, disabled); err != nil {
		return err
	}
	state := "enabled"
	if disabled {
		state = "disabled (signed out everywhere)"
	}
	fmt.Fprintf(u.out, "%s %s\n", acct.Email, state)
	return nil
}

func (u *usersCmd) resetPassword(ctx context.Context, email, password string) error {
	acct, err := u.svc.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	generated := password == ""
	if generated {
		password = auth.GeneratePassword()
	}
	if _, err := u.svc.SetPassword(ctx, u.by, acct.ID, password); err != nil {
		return err
	}
	fmt.Fprintf(u.out, "new password set for %s (signed out everywhere)\n", acct.Email)
	if generated {
		fmt.Fprintf(u.out, "password: %s\n", password)
	}
	return nil
}
