package lint

// registry is every rule, in the order findings of equal severity are
// listed: the order failure-modes §17 suggests, envelope to Connect.
// Adding a rule means adding it here; IDs are never reused.
var registry = []*Rule{
	statusNotSuccess,
	noAssertion,
	namespaceUndeclared,
	requiredMissing,
	assertionEncrypted,
	unsigned,
	signatureInvalid,
	signatureUntrusted,
	signatureWrapping,
	weakAlgorithm,
	certificateExpired,
	issuerMismatch,
	timeInvalid,
	expired,
	notYetValid,
	nameIDMissing,
	subjectConfirmation,

	responseTooLarge,
	assertionTooOld,
	recipient,
	destination,
	audience,
	roleAttributeMissing,
	roleMissingRoleARN,
	roleMissingProviderARN,
	roleARNMalformed,
	roleAccountMismatch,
	roleSessionNameMissing,
	roleSessionNameInvalid,
	sessionDurationInvalid,
	sessionTagsInvalid,
	trustPrincipal,
	trustAction,
	trustAudience,
	trustCondition,
	trustTagSession,

	relayStateInvalid,
	connectUserName,
	regionMismatch,
	missingGetFederationToken,
	connectUserUnknown,

	suppressionExpired,
	suppressionUnused,
}
