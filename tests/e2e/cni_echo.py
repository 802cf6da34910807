# SPDX-License-Identifier: GPL-2.0
# cni_echo.py NAME PORT: a TCP service for the CNI tests; answers each connection with
# NAME:<what it received>, so the client knows which container served it.
import socket
import sys

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[2])))
s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(sys.argv[1].encode() + b":" + c.recv(100))
    c.close()
