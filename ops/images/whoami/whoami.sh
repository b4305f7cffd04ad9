#!/bin/sh
# busybox httpd serves a page written at start: the hostname does not change while the container runs.
mkdir -p /www
hostname > /www/index.html
exec httpd -f -p 8000 -h /www
