# Runs under MicroPython: the shared codec must reproduce every test vector byte for byte.
import json
import binascii
import framecodec as fc

with open("/vectors/frames.json") as f:
    data = json.load(f)
for v in data["valid"]:
    key = binascii.unhexlify(v["key"])
    readings = [(r[0], r[1], r[2]) for r in v["readings"]]
    frame = fc.encode(key, v["node_id"], v["counter"], v["age_s"], readings, v["flags"])
    assert binascii.hexlify(frame).decode() == v["frame"], v["name"]
    assert fc.verify(key, frame), v["name"]
    version, flags, node, counter, age, decoded = fc.decode(frame)
    assert (node, counter, age, flags) == (v["node_id"], v["counter"], v["age_s"], v["flags"]), v["name"]
    for got, want in zip(decoded, v["decoded"]):
        assert got[0] == want[0] and got[2] == want[2], v["name"]
        assert (got[1] is None) == (want[1] is None), v["name"]
        if got[1] is not None:
            assert abs(got[1] - want[1]) < 1e-9, v["name"]
for v in data["invalid"]:
    key = binascii.unhexlify(v["key"])
    frame = binascii.unhexlify(v["frame"])
    if "verify" in v:
        assert fc.verify(key, frame) == v["verify"], v["name"]
    if "error" in v:
        try:
            fc.decode(frame)
        except fc.FrameError as e:
            assert str(e) == v["error"], v["name"]
        else:
            raise AssertionError("decoded invalid frame: " + v["name"])
print("vectors ok:", len(data["valid"]), "valid,", len(data["invalid"]), "invalid")
