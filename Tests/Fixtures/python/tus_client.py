"""Drives PyPI's tuspy (a real tus 1.0 client) against a Kinora daemon, for the end-to-end tests.

  tus_client.py start  BASE TOKEN FILE STORE CHUNK CHUNKS TITLE
      creates the upload (metadata filename/title/visibility, sha1 checksums on every PATCH),
      sends only the first CHUNKS chunks with upload_chunk(), remembers the upload URL in the
      tuspy URL store STORE (keyed by the file's fingerprint), and exits: an interrupted client.
  tus_client.py resume BASE TOKEN FILE STORE CHUNK
      a new client finds the upload in STORE, asks the server for its offset (HEAD), and
      uploads the rest. The daemon may have restarted on another port: the stored URL's path is
      joined to BASE.

Prints one JSON line: {"url", "offset", "video_id"}.
"""
import json
import os
import sys
from urllib.parse import urljoin, urlparse

from tusclient import client
from tusclient.fingerprint.fingerprint import Fingerprint
from tusclient.storage.filestorage import FileStorage


def uploader(base, token, path, store, chunk, url=None):
    tus = client.TusClient(urljoin(base, "/api/v1/uploads"), headers={"Authorization": "Bearer " + token})
    return tus.uploader(
        file_path=path,
        url=url,
        chunk_size=chunk,
        metadata={"filename": os.path.basename(path), "title": TITLE, "visibility": "public"},
        store_url=url is None,
        url_storage=store,
        upload_checksum=True,
        retries=0,
    )


def main():
    global TITLE
    mode, base, token, path, store_path = sys.argv[1:6]
    chunk = int(sys.argv[6])
    store = FileStorage(store_path)
    if mode == "start":
        chunks, TITLE = int(sys.argv[7]), sys.argv[8]
        up = uploader(base, token, path, store, chunk)
        for _ in range(chunks):
            up.upload_chunk()
        result = {"url": up.url, "offset": up.offset, "video_id": None}
    elif mode == "resume":
        TITLE = "unused on resume"
        # The fingerprint store holds the URL the first client was given.
        with open(path, "rb") as stream:
            stored = store.get_item(Fingerprint().get_fingerprint(stream))
        if not stored:
            raise SystemExit("no stored upload URL for this file")
        url = urljoin(base, urlparse(stored).path)
        up = uploader(base, token, path, store, chunk, url=url)  # HEADs the server for the offset
        resumed_at = up.offset
        up.upload()
        result = {"url": up.url, "resumed_at": resumed_at, "offset": up.offset,
                  "video_id": up.request.response_headers.get("kinora-video-id")}
    else:
        raise SystemExit("usage: tus_client.py start|resume ...")
    store.close()
    print(json.dumps(result))


TITLE = ""
if __name__ == "__main__":
    main()
