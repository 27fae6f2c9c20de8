#!/usr/bin/env bash
# Create or update the broker's password file and gateway ACL blocks.
#   deploy/mosquitto/make-users.sh PASSWD_FILE ACL_OUT service:PASSWORD gw-1:PASSWORD <token>:PASSWORD ...
# The service user is nutrimapa-tips; gateways are gw-<name>; anything else is a phone (its subscriber token).
# Passwords are hashed by mosquitto_passwd (PBKDF2-SHA512); the clear ones go only to their clients.
set -euo pipefail
passwd_file=$1; acl_out=$2; shift 2
here=$(dirname "$0")
cp "$here/acl" "$acl_out"
touch "$passwd_file"
chmod 600 "$passwd_file"
for pair in "$@"; do
  user=${pair%%:*}; password=${pair#*:}
  [ "$user" = service ] && user=nutrimapa-tips
  mosquitto_passwd -b "$passwd_file" "$user" "$password"
  case $user in
    gw-*) printf '\nuser %s\ntopic read nutrimapa/v1/gw/out\ntopic write nutrimapa/v1/gw/%s/receipts\ntopic write nutrimapa/v1/gw/%s/inbound\n' \
            "$user" "$user" "$user" >> "$acl_out" ;;
  esac
done
