package saml

import "testing"

// TestIdPError: the error an IdP's own sign-in page shows, as each words
// and marks it up (pages shaped after SimpleSAMLphp's templates and the
// markup Okta, Entra ID, AD FS and Keycloak serve); none on a page
// without one.
func TestIdPError(t *testing.T) {
	for _, c := range []struct{ name, page, want string }{
		{"SimpleSAMLphp", `<div style="border-left: 1px solid #e8e8e8"><img class="float-l erroricon" alt=""/><h2>Error</h2><p><strong>Incorrect username or password</strong></p>` +
			`<p>Either no user with the given username could be found, or the password you gave was wrong. Please check the username and try again.</p></div><h2>Enter your username and password</h2>`,
			"Incorrect username or password Either no user with the given username could be found, or the password you gave was wrong."},
		{"Okta", `<div class="o-form-error-container o-form-has-errors" data-se="o-form-error-container"><div class="okta-form-infobox-error infobox infobox-error" role="alert"><span class="icon error-16"></span><p>Unable to sign in</p></div></div>`,
			"Unable to sign in"},
		{"Entra ID", `<div id="passwordError" class="error ext-error" aria-live="assertive">Your account or password is incorrect. If you don't remember your password, <a id="idA_IL_ForgotPassword0" href="#">reset it now.</a></div>`,
			"Your account or password is incorrect."},
		{"AD FS", `<div id="error" class="fieldMargin error smallText"><span id="errorText" for="">Incorrect user ID or password. Type the correct user ID and password, and try again.</span></div>`,
			"Incorrect user ID or password."},
		{"Keycloak", `<span id="input-error" class="kc-feedback-text" aria-live="polite">Invalid username or password.</span>`,
			"Invalid username or password."},
		{"an error box in other words", `<div class="alert alert-danger" role="alert">Your one-time code has expired</div>`, "Your one-time code has expired"},
		{"a sign-in form", `<h1>Sign in</h1><form><input name="username"><input name="password" type="password"></form>`, ""},
	} {
		if got := IdPError([]byte("<html><body>" + c.page + "</body></html>")); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
