// What every SDK script of this folder shares: its settings from the
// environment the pytest driver sets (MP_*), and the two clients exactly as
// a v3 user builds them — ClientSecretCredential with the installation as
// authority (no instance discovery) and AzureMediaServices on its ARM URL.
"use strict";
const { ClientSecretCredential } = require("@azure/identity");
const { AzureMediaServices } = require("@azure/arm-mediaservices");

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set`);
  return process.env[k];
};

function mediaClient() {
  const armUrl = env("MP_ARM_URL");
  const credential = new ClientSecretCredential(env("MP_TENANT"), env("MP_CLIENT_ID"),
    env("MP_CLIENT_SECRET"), { authorityHost: armUrl, disableInstanceDiscovery: true });
  return new AzureMediaServices(credential, env("MP_SUBSCRIPTION"), { endpoint: armUrl });
}

module.exports = { env, mediaClient };
