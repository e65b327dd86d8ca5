"""An independent Modbus TCP peer for interop tests: Debian python3-pymodbus (3.0) serving known values.

Usage: python3 pymodbus_server.py SPEC.json
SPEC: {"points": [{"table": "holding", "address": 0, "type": "float32", "order": "CDAB", "value": 1.5}, ...]}
Values are encoded by pymodbus's own BinaryPayloadBuilder (not by plantpulse's codecs), so the agent's
decoding is checked against another implementation. 64-bit integers come as decimal strings.
Binds 127.0.0.1 on a free port, prints {"port": N} on stdout, and exits when stdin closes (its parent is gone).
"""
import asyncio
import json
import os
import sys
import threading

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSparseDataBlock
from pymodbus.payload import BinaryPayloadBuilder
from pymodbus.server.async_io import ModbusTcpServer

# plantpulse order name -> (byteorder, wordorder) for BinaryPayloadBuilder
ORDERS = {
    "ABCD": (">", ">"), "ABCDEFGH": (">", ">"),
    "CDAB": (">", "<"), "GHEFCDAB": (">", "<"),
    "BADC": ("<", ">"), "BADCFEHG": ("<", ">"),
    "DCBA": ("<", "<"), "HGFEDCBA": ("<", "<"),
}


def registers(point):
    byteorder, wordorder = ORDERS[point.get("order", "ABCD")]
    b = BinaryPayloadBuilder(byteorder=byteorder, wordorder=wordorder)
    t, v = point["type"], point["value"]
    if t == "int16":
        b.add_16bit_int(v)
    elif t == "uint16":
        b.add_16bit_uint(v)
    elif t == "int32":
        b.add_32bit_int(v)
    elif t == "uint32":
        b.add_32bit_uint(v)
    elif t == "int64":
        b.add_64bit_int(int(v))
    elif t == "uint64":
        b.add_64bit_uint(int(v))
    elif t == "float32":
        b.add_32bit_float(v)
    elif t == "float64":
        b.add_64bit_float(v)
    elif t == "string":
        raw = v.encode("latin-1").ljust(point["length"] * 2, b"\0")
        return [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]
    else:
        raise ValueError("unknown type " + t)
    return b.to_registers()


def main():
    spec = json.load(open(sys.argv[1]))
    blocks = {"holding": {}, "input": {}, "coil": {}, "discrete": {}}
    for p in spec["points"]:
        if p["table"] in ("coil", "discrete"):
            blocks[p["table"]][p["address"]] = bool(p["value"])
        elif p.get("type") == "bool":
            word = blocks[p["table"]].get(p["address"], 0)
            bit = 1 << p["bit"]
            blocks[p["table"]][p["address"]] = (word | bit) if p["value"] else (word & ~bit)
        else:
            for i, r in enumerate(registers(p)):
                blocks[p["table"]][p["address"] + i] = r
    # zero_mode=True: address N in the request is index N in the block (no 40001-style shift)
    slave = ModbusSlaveContext(
        hr=ModbusSparseDataBlock(blocks["holding"] or {0: 0}),
        ir=ModbusSparseDataBlock(blocks["input"] or {0: 0}),
        co=ModbusSparseDataBlock(blocks["coil"] or {0: False}),
        di=ModbusSparseDataBlock(blocks["discrete"] or {0: False}),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves={1: slave}, single=False)

    def watch_stdin():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()

    async def run():
        server = ModbusTcpServer(context, address=("127.0.0.1", 0))
        task = asyncio.ensure_future(server.serve_forever())
        await server.serving
        port = server.server.sockets[0].getsockname()[1]
        print(json.dumps({"port": port}), flush=True)
        await task

    asyncio.run(run())


if __name__ == "__main__":
    main()
