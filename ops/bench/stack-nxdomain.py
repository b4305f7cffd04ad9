#!/usr/bin/env python3
"""A DNS server that answers every query "no such name" (NXDOMAIN), for ops/bench/stack.sh.

The namespace nodes of ops/cluster.sh cannot reach this machine's DNS server (they have no NAT), so every registry
lookup of their engines (the stock CLI's --resolve-image, Swarm's pull before each task) would wait for a timeout,
5 to 20 s a name, where this machine's own engine is told "no such host" in milliseconds. The bench points the
nodes' DNS traffic here, so both sides see the registry as this machine's engine does. Usage: stack-nxdomain.py ADDR
"""
import socket
import sys

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((sys.argv[1], 53))
while True:
    query, peer = sock.recvfrom(4096)
    if len(query) < 12:
        continue
    # The query's ID and question, flags QR + RD (copied) + RA, RCODE 3; no answer, authority or additional records.
    question_end = 12
    while question_end < len(query) and query[question_end] != 0:
        question_end += query[question_end] + 1
    question_end += 5  # the root label, QTYPE, QCLASS
    flags = 0x8000 | (query[2] & 0x01) << 8 | 0x0080 | 3
    reply = query[:2] + flags.to_bytes(2, "big") + b"\x00\x01\x00\x00\x00\x00\x00\x00" + query[12:question_end]
    sock.sendto(reply, peer)
