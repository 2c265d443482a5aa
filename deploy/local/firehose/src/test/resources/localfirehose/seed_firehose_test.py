# The seed's field test (list / put / batch against delivery stream "test"), unchanged except that the client
# is pointed at the local endpoint given in FIREHOSE_ENDPOINT_URL.
import boto3
import json
import os
import sys


def get_firehose_client():
    # Credentials come from the [test_profile] section of the shared credentials file.
    session = boto3.Session(profile_name="test_profile")
    firehose = session.client("firehose", endpoint_url=os.environ["FIREHOSE_ENDPOINT_URL"])
    return firehose


def list_delivery_streams():
    firehose = get_firehose_client()

    print("List Delivery Streams")
    response = firehose.list_delivery_streams(DeliveryStreamType="DirectPut")
    print(response["DeliveryStreamNames"])


def put_record_to_delivery_stream():
    print("Put record to Delivery Stream")

    test_data = {
        "user_id": "Aster-Kotlin-Sapphire-564",
        "app_version": "v1.5.16(90)",
        "device_id": "a03cd3d6-0b14-46e1-a2c8-18b1c86cf738",
        "device_manufacturer": "LG",
        "device_name": "LG G7 ThinQ",
        "device_model": "LM-G710N",
        "device_os": "Android",
        "device_os_number": "8.0",
        "event": "interest_service_click",
        "interest_id": 1201,
        "index": 1,
        "interest_name": "1",
        "interest_service_id": None,
        "interest_service_type": "1",
        "interest_service_name": "1",
        "timestamp": "2019-04-30T07:30:00Z"
    }

    firehose = get_firehose_client()

    response = firehose.put_record(
        DeliveryStreamName="test",
        Record={"Data": json.dumps(test_data, ensure_ascii=False)}
    )

    print(response)


def batch_record_to_delivery_stream():
    print("Put batch records to Delivery Stream")

    common = {
        "user_id": "Aster-Kotlin-Sapphire-564",
        "app_version": "v1.5.16(90)",
        "device_id": "a03cd3d6-0b14-46e1-a2c8-18b1c86cf738",
        "device_manufacturer": "LG", "device_name": "LG G7 ThinQ", "device_model": "LM-G710N",
        "device_os": "Android", "device_os_number": "8.0",
        "event": "interest_service_click",
        "index": 1,
        "interest_service_id": None,
    }
    test_data_list = [
        dict(common, interest_id=1101, interest_name="2", interest_service_type="4", interest_service_name="4",
             timestamp="2019-05-03T00:20:00Z"),
        dict(common, interest_id=1301, interest_name="55", interest_service_type="5", interest_service_name="7",
             timestamp="2019-05-03T00:50:00Z"),
        dict(common, interest_id=1201, interest_name="1", interest_service_type="1", interest_service_name="1",
             timestamp="2019-05-03T01:15:00Z"),
    ]

    records_list = list()
    for test_data in test_data_list:
        records_list.append({"Data": json.dumps(test_data, ensure_ascii=False)})

    firehose = get_firehose_client()

    response = firehose.put_record_batch(
        DeliveryStreamName="test",
        Records=records_list
    )

    print(response)


def main():
    arg = sys.argv[1:]
    if "list" in arg:
        list_delivery_streams()
    elif "put" in arg:
        put_record_to_delivery_stream()
    elif "batch" in arg:
        batch_record_to_delivery_stream()
    else:
        print("Unsupported test operation")
        print("Supported operations : ['list', 'put', 'batch']")


if __name__ == "__main__":
    main()
