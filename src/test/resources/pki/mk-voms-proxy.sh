#!/usr/bin/env bash
# Test PKI made with the real tools: a CA (hashed dir), host and user certificates (openssl), and a proxy with
# a real VOMS attribute certificate (voms-proxy-fake, Debian package voms-clients).
# usage: mk-voms-proxy.sh DIR HOURS FQAN OUTFILE
set -euo pipefail
D=$1 HOURS=$2 FQAN=$3 OUT=$4
mkdir -p "$D/certificates"; cd "$D"
if [ ! -f ca.pem ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout ca.key -out ca.pem -subj "/DC=org/DC=test/CN=Test CA" \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  cp ca.pem certificates/testca.pem; openssl rehash certificates
  for n in host user; do
    if [ $n = host ]; then s="/DC=org/DC=test/CN=localhost"; e="extendedKeyUsage=serverAuth,clientAuth"
    else s="/DC=org/DC=test/CN=Test User"; e="extendedKeyUsage=clientAuth"; fi
    openssl req -newkey rsa:2048 -nodes -keyout ${n}key.pem -out $n.csr -subj "$s" 2>/dev/null
    printf 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,keyEncipherment\n%s\n' "$e" > $n.ext
    openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -set_serial $((RANDOM*32768+RANDOM)) -days 365 -sha256 \
      -extfile $n.ext -out ${n}cert.pem 2>/dev/null
    rm $n.csr $n.ext
  done
  chmod 600 userkey.pem hostkey.pem
fi
voms-proxy-fake -cert usercert.pem -key userkey.pem -certdir certificates -out "$OUT" -rfc -hours "$HOURS" -vomslife "$HOURS" \
  -voms gridpp -uri localhost:15000 -hostcert hostcert.pem -hostkey hostkey.pem -fqan "$FQAN" >/dev/null 2>&1
chmod 600 "$OUT"
