/*
 * key_checksum.h — the ContentKey "Checksum" property of the AMS v2 REST API:
 * proof that the client knows the clear key belonging to a key Id.
 *
 * What the SDKs computed (read in their public sources):
 *
 *  - .NET SDK, Azure/azure-sdk-for-media-services,
 *    src/net/Client/Common/Common.FileEncryption/EncryptionUtils.cs,
 *    EncryptionUtils.CalculateChecksum(byte[] contentKey, Guid keyId):
 *    an AesCryptoServiceProvider in ECB mode, PaddingMode.None, Key = the
 *    content key as is, encrypts keyId.ToByteArray() (16 bytes, .NET order)
 *    and returns Convert.ToBase64String of the first 8 output bytes.  The
 *    AES variant follows the key length: there is no HMAC and no separate
 *    rule per key type.  Callers (src/net/Client/Collections/
 *    ContentKeyBaseCollection.cs and Common.FileEncryption/FileEncryption.cs):
 *      CommonEncryption, EnvelopeEncryption, FairPlayASk: 16-byte keys
 *        -> AES-128-ECB;
 *      StorageEncryption (FileEncryption.GetChecksum, key forced to 256 bits)
 *        and ConfigurationEncryption (32-byte key) -> AES-256-ECB;
 *      FairPlayPfxPassword (InitializeFairPlayPfxPassword): no Checksum set.
 *    The same code is shown in the AMS REST docs (MicrosoftDocs/azure-docs,
 *    articles/media-services/previous/media-services-rest-create-contentkey.md),
 *    which call it the PlayReady AES key checksum algorithm.
 *  - Java SDK, Azure/azure-sdk-for-java,
 *    services/azure-media/src/main/java/com/microsoft/windowsazure/services/
 *    media/EncryptionUtils.java, calculateChecksum(byte[], UUID): differs —
 *    "AES/ECB/PKCS5Padding" over the UTF-8 bytes of UUID.toString() (36
 *    lowercase characters), first 8 bytes; only the first block matters, so
 *    it is AES-ECB of the first 16 characters of the lowercase GUID text.
 *    That SDK also sent the thumbprint in lowercase hex.  Since the service
 *    accepted keys created by both SDKs, a server should not reject a key for
 *    a Checksum mismatch alone; content_key_checksum_check() says which
 *    convention (if any) a client used.
 */
#ifndef KEY_CHECKSUM_H
#define KEY_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#define CONTENT_KEY_CHECKSUM_LEN 12      /* base64 of 8 bytes, without the NUL */

/* The .NET SDK checksum of a 16-, 24- or 32-byte key (AES-128/192/256-ECB).
 * kid_guid is a GUID ("xxxxxxxx-...", optionally in braces) or a content key
 * Id "nb:kid:UUID:<guid>".  KEY_ERR_ARGUMENT for another key length or an
 * unparsable kid. */
int content_key_checksum(const uint8_t *key, size_t key_len, const char *kid_guid,
                         char out_b64[CONTENT_KEY_CHECKSUM_LEN + 1]);

/* Same with the key Id given as 16 bytes in RFC 4122 order. */
int content_key_checksum_for_kid(const uint8_t *key, size_t key_len, const uint8_t kid_rfc[16],
                                 char out_b64[CONTENT_KEY_CHECKSUM_LEN + 1]);

/* The Java SDK variant described above (first 16 characters of the lowercase
 * GUID text instead of the GUID bytes). */
int content_key_checksum_java_sdk(const uint8_t *key, size_t key_len, const uint8_t kid_rfc[16],
                                  char out_b64[CONTENT_KEY_CHECKSUM_LEN + 1]);

typedef enum {
    CHECKSUM_MISMATCH = 0,
    CHECKSUM_MATCHES_DOTNET = 1,
    CHECKSUM_MATCHES_JAVA_SDK = 2
} checksum_match_t;

/* Compares a client's Checksum with both conventions.  Returns a
 * checksum_match_t, or a negative key_status_t when key or kid is invalid. */
int content_key_checksum_check(const uint8_t *key, size_t key_len, const char *kid_guid,
                               const char *checksum_b64);

#endif
