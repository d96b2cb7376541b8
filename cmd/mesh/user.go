package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"mesh"
	"mesh/account"
)

func init() {
	command("user", "manage accounts: mesh user add", runUser)
	subcommands("user", "add")
}

func runUser(env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		printHelp(env, env.Stdout, "user", nil)
		if len(args) == 0 {
			return usageT(env, "cli.err.user_needs_subcommand")
		}
		return nil
	}
	if args[0] != "add" {
		return usageT(env, "cli.err.user_unknown_subcommand", args[0])
	}
	return runUserAdd(env, args[1:])
}

func runUserAdd(env *Env, args []string) error {
	fs := newFlags(env, "user add", "user add --username U --role ROLE [--scope ORGUNIT_ID] [--name NAME] --password-stdin [--db DSN]")
	var dsn string
	dbFlag(fs, env, &dsn)
	username := fs.String("username", "", "login name (lower-case letters, digits, . _ -)")
	role := fs.String("role", "", "admin, manager, supervisor, mentor or facility")
	scope := fs.Int64("scope", 0, "id of the place the user's area covers (a district for a supervisor, a facility for an in-charge)")
	name := fs.String("name", "", "display name")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if *username == "" || *role == "" || !*fromStdin {
		return usageT(env, "cli.err.user_add_needs")
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return usageT(env, "cli.err.no_password")
	}
	password := strings.TrimRight(line, "\r\n")
	u := &account.User{Username: *username, Role: account.Role(*role), DisplayName: *name}
	if *scope != 0 {
		u.ScopeID = scope
	}
	u.Normalize()
	var errs []mesh.FieldError
	if err := u.Validate(); err != nil {
		errs = mesh.ErrorFields(err)
	}
	hash, herr := account.HashPassword(password)
	if herr != nil {
		errs = append(errs, mesh.FieldError{Code: "TOO_SHORT", Field: "password", Message: herr.Error()})
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	u.PasswordHash = hash
	ctx := context.Background()
	db, err := openDB(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateUser(ctx, u); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, env.T("cli.user.created", u.Username, u.ID, u.Role))
	return nil
}
