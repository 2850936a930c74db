"""Parses KIS WebSocket frames the way the official Python samples do (koreainvestment/open-trading-api,
legacy/websocket/python/ws_domestic_stock.py): split the frame on '|', take the count from the third
part, split the payload on '^' and walk the official column list with one running index across the
records; a frame starting with '1' is Base64 AES-256-CBC, decrypted with the key and IV of the
subscribe answer and unpadded (PKCS#7). Uses Debian's python3-cryptography where the samples use
pycryptodome. Reads {"frames": [...], "key": ..., "iv": ..., "columns": {tr_id: [...]}} on stdin,
prints one JSON list of {"tr_id", "records": [{column: value}]}.
"""
import base64
import json
import sys

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def aes_cbc_base64_dec(key, iv, cipher_text):
    decryptor = Cipher(algorithms.AES(key.encode("utf-8")), modes.CBC(iv.encode("utf-8"))).decryptor()
    padded = decryptor.update(base64.b64decode(cipher_text)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")


def main():
    spec = json.load(sys.stdin)
    out = []
    for data in spec["frames"]:
        if data[0] not in ("0", "1"):
            continue
        recvstr = data.split("|")
        trid0 = recvstr[1]
        data_cnt = int(recvstr[2])
        payload = recvstr[3] if data[0] == "0" else aes_cbc_base64_dec(spec["key"], spec["iv"], recvstr[3])
        menustr = spec["columns"][trid0[:7] + "0" if trid0.startswith("H0STCNI") else trid0]
        p_value = payload.split("^")
        i = 0
        records = []
        for _ in range(data_cnt):
            record = {}
            for menu in menustr:
                record[menu] = p_value[i]
                i += 1
            records.append(record)
        out.append({"tr_id": trid0, "records": records})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
