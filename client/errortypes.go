package client

// Code below lists the error types of the docs page. The strings, statuses and
// descriptions are checked against openapi.yaml by errortypes_test.go, so this
// table and the spec cannot drift apart.

// The error types the docs page documents, one constant each, plus
// ErrorTypeInvalidParameters (400), which the page does not list but the
// spec adds for requests the API cannot serve. Each constant is also an error
// sentinel: errors.Is(err, ErrorTypeExpiredCredentials) reports whether err
// is (or wraps) an *APIError of that type.
const (

	// 401 Unauthorized: Credentials are missing, expired, or otherwise invalid.

	// ErrorTypeMissingCredentials is errors/missing_credentials (401): Some credentials are necessary to perform the request.
	ErrorTypeMissingCredentials ErrorType = "errors/missing_credentials"
	// ErrorTypeMultipleSessions is errors/multiple_sessions (401): LinkedIn limits multiple sessions on certain Recruiter accounts. Use the cookie connection method.
	ErrorTypeMultipleSessions ErrorType = "errors/multiple_sessions"
	// ErrorTypeInvalidCheckpointSolution is errors/invalid_checkpoint_solution (401): The checkpoint resolution did not pass successfully. Retry.
	ErrorTypeInvalidCheckpointSolution ErrorType = "errors/invalid_checkpoint_solution"
	// ErrorTypeInvalidProxyCredentials is errors/invalid_proxy_credentials (401): The provided proxy credentials are invalid.
	ErrorTypeInvalidProxyCredentials ErrorType = "errors/invalid_proxy_credentials"
	// ErrorTypeCheckpointError is errors/checkpoint_error (401): The checkpoint does not appear to be resolvable.
	ErrorTypeCheckpointError ErrorType = "errors/checkpoint_error"
	// ErrorTypeInvalidCredentials is errors/invalid_credentials (401): The provided credentials are invalid.
	ErrorTypeInvalidCredentials ErrorType = "errors/invalid_credentials"
	// ErrorTypeExpiredCredentials is errors/expired_credentials (401): Credentials have expired. Reconnect the account.
	ErrorTypeExpiredCredentials ErrorType = "errors/expired_credentials"
	// ErrorTypeInsufficientPrivileges is errors/insufficient_privileges (401): This resource is out of your API-key scopes.
	ErrorTypeInsufficientPrivileges ErrorType = "errors/insufficient_privileges"
	// ErrorTypeDisconnectedAccount is errors/disconnected_account (401): The account is disconnected from the provider service.
	ErrorTypeDisconnectedAccount ErrorType = "errors/disconnected_account"
	// ErrorTypeDisconnectedFeature is errors/disconnected_feature (401): The service you're trying to reach is disconnected.
	ErrorTypeDisconnectedFeature ErrorType = "errors/disconnected_feature"
	// ErrorTypeInvalidCredentialsButValidAccountIMAP is errors/invalid_credentials_but_valid_account_imap (401): IMAP/SMTP credentials are invalid but the account is otherwise valid.
	ErrorTypeInvalidCredentialsButValidAccountIMAP ErrorType = "errors/invalid_credentials_but_valid_account_imap"
	// ErrorTypeExpiredLink is errors/expired_link (401): This link has expired. Generate a new one.
	ErrorTypeExpiredLink ErrorType = "errors/expired_link"
	// ErrorTypeWrongAccount is errors/wrong_account (401): The provided credentials do not match the correct account.
	ErrorTypeWrongAccount ErrorType = "errors/wrong_account"

	// 403 Forbidden: Authenticated but the account is restricted or the action is not allowed.

	// ErrorTypeAccountRestricted is errors/account_restricted (403): The account has been restricted by the provider.
	ErrorTypeAccountRestricted ErrorType = "errors/account_restricted"
	// ErrorTypeAccountMismatch is errors/account_mismatch (403): This action cannot be done with your account.
	ErrorTypeAccountMismatch ErrorType = "errors/account_mismatch"
	// ErrorTypeInsufficientPermissions is errors/insufficient_permissions (403): Valid authentication but insufficient permissions to perform the request.
	ErrorTypeInsufficientPermissions ErrorType = "errors/insufficient_permissions"
	// ErrorTypeSessionMismatch is errors/session_mismatch (403): Token user id does not match client session id.
	ErrorTypeSessionMismatch ErrorType = "errors/session_mismatch"
	// ErrorTypeFeatureNotSubscribed is errors/feature_not_subscribed (403): The requested feature has not been subscribed or authenticated properly.
	ErrorTypeFeatureNotSubscribed ErrorType = "errors/feature_not_subscribed"
	// ErrorTypeSubscriptionRequired is errors/subscription_required (403): A subscription is required to use this feature.
	ErrorTypeSubscriptionRequired ErrorType = "errors/subscription_required"
	// ErrorTypeUnknownAuthenticationContext is errors/unknown_authentication_context (403): An additional step seems necessary to complete login.
	ErrorTypeUnknownAuthenticationContext ErrorType = "errors/unknown_authentication_context"
	// ErrorTypeActionRequired is errors/action_required (403): An additional step is required.
	ErrorTypeActionRequired ErrorType = "errors/action_required"
	// ErrorTypeResourceAccessRestricted is errors/resource_access_restricted (403): You don't have access to this resource.
	ErrorTypeResourceAccessRestricted ErrorType = "errors/resource_access_restricted"

	// 429 Too Many Requests: The provider cannot accept any more requests at the moment. Retry later.

	// ErrorTypeTooManyRequests is errors/too_many_requests (429): Provider rate limit reached. Back off and retry.
	ErrorTypeTooManyRequests ErrorType = "errors/too_many_requests"

	// 500 Internal Server Error: Something went wrong on our side or with the upstream provider.

	// ErrorTypeUnexpectedError is errors/unexpected_error (500): Something went wrong.
	ErrorTypeUnexpectedError ErrorType = "errors/unexpected_error"
	// ErrorTypeProviderError is errors/provider_error (500): The provider is experiencing operational problems. Retry later.
	ErrorTypeProviderError ErrorType = "errors/provider_error"
	// ErrorTypeAuthenticationIntentError is errors/authentication_intent_error (500): The current authentication intent was killed after failure.
	ErrorTypeAuthenticationIntentError ErrorType = "errors/authentication_intent_error"

	// 501 Not Implemented: The requested feature is planned but not yet available.

	// ErrorTypeFeatureNotImplemented is errors/feature_not_implemented (501): This feature has not been implemented yet.
	ErrorTypeFeatureNotImplemented ErrorType = "errors/feature_not_implemented"

	// 503 Service Unavailable: postpress is temporarily unable to handle the request.

	// ErrorTypeNoClientSession is errors/no_client_session (503): No client session is currently running.
	ErrorTypeNoClientSession ErrorType = "errors/no_client_session"
	// ErrorTypeNoChannel is errors/no_channel (503): No channel to client session.
	ErrorTypeNoChannel ErrorType = "errors/no_channel"
	// ErrorTypeNoHandler is errors/no_handler (503): Handler missing for that request.
	ErrorTypeNoHandler ErrorType = "errors/no_handler"
	// ErrorTypeNetworkDown is errors/network_down (503): Network is down on the server side. Retry shortly.
	ErrorTypeNetworkDown ErrorType = "errors/network_down"
	// ErrorTypeServiceUnavailable is errors/service_unavailable (503): Service temporarily unavailable. Retry later.
	ErrorTypeServiceUnavailable ErrorType = "errors/service_unavailable"

	// 504 Gateway Timeout: The upstream provider did not respond in time.

	// ErrorTypeRequestTimeout is errors/request_timeout (504): Request timed out. Retry, and contact support if it persists.
	ErrorTypeRequestTimeout ErrorType = "errors/request_timeout"

	// 400 Bad Request: not on the docs page; see openapi.yaml.

	// ErrorTypeInvalidParameters is errors/invalid_parameters (400): One or
	// more request parameters are invalid or missing. Not on the docs page;
	// the spec adds it for limits out of range and cursors the server never
	// issued. The client checks parameters before sending, so meeting it
	// usually means a stale or foreign cursor.
	ErrorTypeInvalidParameters ErrorType = "errors/invalid_parameters"
)

// errorTypes maps every known type to its status, description and retry
// decision (see ErrorType.Retryable for the reasoning).
var errorTypes = map[ErrorType]errorTypeInfo{
	ErrorTypeMissingCredentials:                    {401, "Some credentials are necessary to perform the request.", false},
	ErrorTypeMultipleSessions:                      {401, "LinkedIn limits multiple sessions on certain Recruiter accounts. Use the cookie connection method.", false},
	ErrorTypeInvalidCheckpointSolution:             {401, "The checkpoint resolution did not pass successfully. Retry.", false},
	ErrorTypeInvalidProxyCredentials:               {401, "The provided proxy credentials are invalid.", false},
	ErrorTypeCheckpointError:                       {401, "The checkpoint does not appear to be resolvable.", false},
	ErrorTypeInvalidCredentials:                    {401, "The provided credentials are invalid.", false},
	ErrorTypeExpiredCredentials:                    {401, "Credentials have expired. Reconnect the account.", false},
	ErrorTypeInsufficientPrivileges:                {401, "This resource is out of your API-key scopes.", false},
	ErrorTypeDisconnectedAccount:                   {401, "The account is disconnected from the provider service.", false},
	ErrorTypeDisconnectedFeature:                   {401, "The service you're trying to reach is disconnected.", false},
	ErrorTypeInvalidCredentialsButValidAccountIMAP: {401, "IMAP/SMTP credentials are invalid but the account is otherwise valid.", false},
	ErrorTypeExpiredLink:                           {401, "This link has expired. Generate a new one.", false},
	ErrorTypeWrongAccount:                          {401, "The provided credentials do not match the correct account.", false},
	ErrorTypeAccountRestricted:                     {403, "The account has been restricted by the provider.", false},
	ErrorTypeAccountMismatch:                       {403, "This action cannot be done with your account.", false},
	ErrorTypeInsufficientPermissions:               {403, "Valid authentication but insufficient permissions to perform the request.", false},
	ErrorTypeSessionMismatch:                       {403, "Token user id does not match client session id.", false},
	ErrorTypeFeatureNotSubscribed:                  {403, "The requested feature has not been subscribed or authenticated properly.", false},
	ErrorTypeSubscriptionRequired:                  {403, "A subscription is required to use this feature.", false},
	ErrorTypeUnknownAuthenticationContext:          {403, "An additional step seems necessary to complete login.", false},
	ErrorTypeActionRequired:                        {403, "An additional step is required.", false},
	ErrorTypeResourceAccessRestricted:              {403, "You don't have access to this resource.", false},
	ErrorTypeTooManyRequests:                       {429, "Provider rate limit reached. Back off and retry.", true},
	ErrorTypeUnexpectedError:                       {500, "Something went wrong.", true},
	ErrorTypeProviderError:                         {500, "The provider is experiencing operational problems. Retry later.", true},
	ErrorTypeAuthenticationIntentError:             {500, "The current authentication intent was killed after failure.", false},
	ErrorTypeFeatureNotImplemented:                 {501, "This feature has not been implemented yet.", false},
	ErrorTypeNoClientSession:                       {503, "No client session is currently running.", true},
	ErrorTypeNoChannel:                             {503, "No channel to client session.", true},
	ErrorTypeNoHandler:                             {503, "Handler missing for that request.", true},
	ErrorTypeNetworkDown:                           {503, "Network is down on the server side. Retry shortly.", true},
	ErrorTypeServiceUnavailable:                    {503, "Service temporarily unavailable. Retry later.", true},
	ErrorTypeRequestTimeout:                        {504, "Request timed out. Retry, and contact support if it persists.", true},
	ErrorTypeInvalidParameters:                     {400, "One or more request parameters are invalid or missing.", false},
}

// errorTypeOrder is the docs page order of the types.
var errorTypeOrder = []ErrorType{
	ErrorTypeMissingCredentials,
	ErrorTypeMultipleSessions,
	ErrorTypeInvalidCheckpointSolution,
	ErrorTypeInvalidProxyCredentials,
	ErrorTypeCheckpointError,
	ErrorTypeInvalidCredentials,
	ErrorTypeExpiredCredentials,
	ErrorTypeInsufficientPrivileges,
	ErrorTypeDisconnectedAccount,
	ErrorTypeDisconnectedFeature,
	ErrorTypeInvalidCredentialsButValidAccountIMAP,
	ErrorTypeExpiredLink,
	ErrorTypeWrongAccount,
	ErrorTypeAccountRestricted,
	ErrorTypeAccountMismatch,
	ErrorTypeInsufficientPermissions,
	ErrorTypeSessionMismatch,
	ErrorTypeFeatureNotSubscribed,
	ErrorTypeSubscriptionRequired,
	ErrorTypeUnknownAuthenticationContext,
	ErrorTypeActionRequired,
	ErrorTypeResourceAccessRestricted,
	ErrorTypeTooManyRequests,
	ErrorTypeUnexpectedError,
	ErrorTypeProviderError,
	ErrorTypeAuthenticationIntentError,
	ErrorTypeFeatureNotImplemented,
	ErrorTypeNoClientSession,
	ErrorTypeNoChannel,
	ErrorTypeNoHandler,
	ErrorTypeNetworkDown,
	ErrorTypeServiceUnavailable,
	ErrorTypeRequestTimeout,
	ErrorTypeInvalidParameters,
}
