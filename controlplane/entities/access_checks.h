/*
 * access_checks.h — checks of the access settings StreamingEndpoints and
 * Channels share: an `AccessControl.IP.Allow` list and the
 * `CrossSiteAccessPolicies` documents.
 */
#ifndef ACCESS_CHECKS_H
#define ACCESS_CHECKS_H

#include "api/api_context.h"

#include <jansson.h>

/* An object {"IP":{"Allow":[{Name, Address, SubnetPrefixLength}]}} (or
 * null): at most CATALOG_EP_MAX_IP valid IPv4/IPv6 ranges; the verbose
 * {"results":[…]} form of the list is unwrapped in place.  `what` names it
 * in messages ("AccessControl").  0, or -1 after api_fail() (400). */
int ip_allow_check(api_ctx_t *c, json_t *access_control, const char *what);

/* {ClientAccessPolicy, CrossDomainPolicy} (or null): each well-formed XML
 * of at most CATALOG_EP_POLICY_MAX bytes, nothing loaded from the network. */
int cross_site_policies_check(api_ctx_t *c, const json_t *policies);

/* Whether addr (text, IPv4 or IPv6) is inside the IP allow list of an
 * AccessControl object checked by ip_allow_check.  No AccessControl or no
 * IP member: everyone; an empty Allow list: nobody (as AMS channels). */
bool ip_allow_permits(const json_t *access_control, const char *addr);

#endif
