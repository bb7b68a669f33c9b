/*
 * token_template.h — the AMS TokenRestrictionTemplate (the Requirements of a
 * TokenRestricted key authorization restriction), parsed and checked:
 *
 *   <TokenRestrictionTemplate xmlns="http://schemas.microsoft.com/Azure/
 *       MediaServices/KeyDelivery/TokenRestrictionTemplate/v1" xmlns:i="…">
 *     <AlternateVerificationKeys><TokenVerificationKey i:type=
 *       "SymmetricVerificationKey"><KeyValue>b64</KeyValue>…</AlternateVerificationKeys>
 *       (or i:type="X509CertTokenVerificationKey"><RawBody>b64 DER…)
 *     <Audience>…</Audience> <Issuer>…</Issuer>
 *     <OpenIdConnectDiscoveryDocument i:nil="true"/>          (optional)
 *     <PrimaryVerificationKey i:type="SymmetricVerificationKey"><KeyValue>b64…
 *     <RequiredClaims><TokenClaim><ClaimType>…</ClaimType>
 *       <ClaimValue i:nil="true"/></TokenClaim></RequiredClaims>
 *     <TokenType>SWT|JWT</TokenType>                           (default SWT)
 *   </TokenRestrictionTemplate>
 *
 * Verification keys (i:type): SymmetricVerificationKey with a KeyValue of
 * TOKEN_KEY_MIN..TOKEN_KEY_MAX bytes (the SDKs make 64), for HS256 JWTs and
 * SWTs; X509CertTokenVerificationKey and RsaTokenVerificationKey with a
 * RawBody (see token_rsa_key.h), for RS256 JWTs only (TokenType JWT
 * required).  OpenID discovery is refused as not supported.  The result is
 * the compact form the key service will use:
 *   {"issuer":…,"audience":…,"type":"SWT"|"JWT","keys":["b64",…primary first],
 *    "rsa_keys":["b64 DER PKCS#1 RSAPublicKey",…primary first] (only when any),
 *    "claims":[{"type":…,"value":…|null}]}
 */
#ifndef TOKEN_TEMPLATE_H
#define TOKEN_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

#define TOKEN_TEMPLATE_NS \
    "http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1"
#define TOKEN_TEMPLATE_MAX_BYTES 65536
#define TOKEN_KEY_MIN 16
#define TOKEN_KEY_MAX 512
#define TOKEN_MAX_ALTERNATE_KEYS 16
#define TOKEN_MAX_CLAIMS 32
#define TOKEN_TEXT_MAX 2048

/* Parses xml[0..len); the compact form (new reference), or NULL with a
 * message naming what is wrong in err. */
json_t *token_template_parse(const char *xml, size_t len, char *err, size_t errlen);

#endif
