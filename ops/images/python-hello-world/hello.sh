#!/bin/sh
# "broken" stands for an image whose process dies at start: an update to it must fail, pause or roll back.
[ "$VERSION" = broken ] && { echo "python-hello-world: broken on purpose" >&2; exit 1; }
mkdir -p /www
echo "Hello Docker, Version $VERSION" > /www/index.html
exec httpd -f -p 5000 -h /www
