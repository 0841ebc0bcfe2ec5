"""Drives the embedded SQS server with the boto3 Debian ships (python3-boto3 1.26, whose SQS speaks
the query protocol): send, batch, receive, change visibility, delete, and an error. Prints what it
saw as one JSON object, with every MD5 it checked that did not match (boto3 1.26 checks none itself:
the Java SDK v1 checks the body's and the attributes' MD5 of every send and receive).

Usage: /usr/bin/python3 old-boto3.py <endpoint> <queue name>
"""

import base64
import hashlib
import json
import struct
import sys

import boto3


def attributes_md5(attributes):
    """SQS's MD5 of message attributes: by name, each field length-prefixed, then a transport byte."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        attribute = attributes[name]
        for field in (name, attribute["DataType"]):
            data = field.encode("utf-8")
            digest.update(struct.pack(">I", len(data)) + data)
        if attribute["DataType"].startswith("Binary"):
            data = attribute["BinaryValue"]
            digest.update(b"\x02" + struct.pack(">I", len(data)) + data)
        else:
            data = attribute["StringValue"].encode("utf-8")
            digest.update(b"\x01" + struct.pack(">I", len(data)) + data)
    return digest.hexdigest()


def md5(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


endpoint, queue_name = sys.argv[1], sys.argv[2]
sqs = boto3.client(
    "sqs",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="test",
    aws_secret_access_key="test",
)
out = {"boto3": boto3.__version__, "protocol": sqs.meta.service_model.protocol}
mismatches = []


def check(what, expected, got):
    if expected != got:
        mismatches.append({"what": what, "expected": expected, "got": got})


url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
out["queueUrl"] = url

body = "line one\r\nline two <b>&amp; é ✓"
attributes = {
    "city": {"DataType": "String", "StringValue": "Paris"},
    "count": {"DataType": "Number", "StringValue": "3"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
}
sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
check("SendMessage MD5OfMessageBody", md5(body), sent["MD5OfMessageBody"])
check("SendMessage MD5OfMessageAttributes", attributes_md5(attributes), sent.get("MD5OfMessageAttributes"))

entries = [
    {
        "Id": "a",
        "MessageBody": "batched a",
        "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "1"}},
    },
    {"Id": "b", "MessageBody": "batched b"},
]
batch = sqs.send_message_batch(QueueUrl=url, Entries=entries)
out["batchSent"] = sorted(entry["Id"] for entry in batch.get("Successful", []))
out["batchFailed"] = batch.get("Failed", [])
for entry, result in zip(entries, sorted(batch.get("Successful", []), key=lambda e: e["Id"])):
    check("SendMessageBatch MD5OfMessageBody " + entry["Id"], md5(entry["MessageBody"]), result["MD5OfMessageBody"])
    if "MessageAttributes" in entry:
        check(
            "SendMessageBatch MD5OfMessageAttributes " + entry["Id"],
            attributes_md5(entry["MessageAttributes"]),
            result.get("MD5OfMessageAttributes"),
        )

received = []
for _ in range(10):
    answer = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        WaitTimeSeconds=1,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    )
    received += answer.get("Messages", [])
    if len(received) >= 3:
        break
for message in received:
    check("ReceiveMessage MD5OfBody", md5(message["Body"]), message["MD5OfBody"])
    if message.get("MessageAttributes"):
        check(
            "ReceiveMessage MD5OfMessageAttributes",
            attributes_md5(message["MessageAttributes"]),
            message.get("MD5OfMessageAttributes"),
        )
out["bodies"] = sorted(message["Body"] for message in received)
by_body = {message["Body"]: message for message in received}
out["blob"] = base64.b64encode(by_body[body]["MessageAttributes"]["blob"]["BinaryValue"]).decode()
out["receiveCount"] = by_body[body]["Attributes"]["ApproximateReceiveCount"]

sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=by_body["batched b"]["ReceiptHandle"], VisibilityTimeout=0)
again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
out["visibleAgain"] = [message["Body"] for message in again]

sqs.delete_message(QueueUrl=url, ReceiptHandle=by_body[body]["ReceiptHandle"])
deleted = sqs.delete_message_batch(
    QueueUrl=url,
    Entries=[
        {"Id": "a", "ReceiptHandle": by_body["batched a"]["ReceiptHandle"]},
        {"Id": "b", "ReceiptHandle": again[0]["ReceiptHandle"] if again else "none"},
    ],
)
out["batchDeleted"] = sorted(entry["Id"] for entry in deleted.get("Successful", []))
out["left"] = sqs.get_queue_attributes(
    QueueUrl=url,
    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
)["Attributes"]

try:
    sqs.get_queue_url(QueueName="no-such-queue")
    out["missingQueue"] = "found"
except sqs.exceptions.QueueDoesNotExist as error:
    out["missingQueue"] = error.response["Error"]["Code"]

out["mismatches"] = mismatches
print(json.dumps(out))
