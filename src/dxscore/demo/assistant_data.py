# ruff: noqa: E501  (the demo content: long Vietnamese sentences)
"""The demo's procedure library for the assistant (``dxscore.assistant``): the common
procedures of Lạng Sơn's one-stop shops with real names and real-shaped content, written
for dxscore (not copied from any official database: the documents, time limits, fees and
legal bases follow the usual shape of such procedures and are demo data), and a few guide
documents. The codes are those the demo's synthetic dossiers use
(``demo.workspace._procedure_names``), so the procedure pages show their dossier measures.
"""

from __future__ import annotations

TP = "Sở Tư pháp tỉnh Lạng Sơn"
KH = "Sở Kế hoạch và Đầu tư tỉnh Lạng Sơn"
XD = "Sở Xây dựng tỉnh Lạng Sơn"
YT = "Sở Y tế tỉnh Lạng Sơn"
LD = "Sở Lao động - Thương binh và Xã hội tỉnh Lạng Sơn"
TN = "Sở Tài nguyên và Môi trường tỉnh Lạng Sơn"
GT = "Sở Giao thông vận tải tỉnh Lạng Sơn"
CT = "Sở Công Thương tỉnh Lạng Sơn"
HUYEN = "Ủy ban nhân dân cấp huyện"
XA = "Ủy ban nhân dân cấp xã"
CMND = "Giấy tờ tùy thân có ảnh (căn cước công dân, hộ chiếu) của người nộp hồ sơ"

# code: (name, agency, level, field, documents, time, fee, legal basis, steps, result)
PROCEDURES: dict[str, tuple[str, str, str, str, list[str], str, str, list[str], list[str], str]] = {
    "1.000001": (
        "Cấp đổi giấy phép lái xe",
        GT,
        "Cấp tỉnh",
        "Đường bộ",
        [
            "Đơn đề nghị đổi giấy phép lái xe theo mẫu",
            "Bản sao giấy phép lái xe sắp hết hạn hoặc đã hết hạn",
            "Giấy khám sức khỏe của người lái xe do cơ sở y tế có thẩm quyền cấp",
            CMND,
        ],
        "05 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Lệ phí cấp đổi giấy phép lái xe: 135.000 đồng/lần; nộp trực tuyến được giảm theo quy định",
        [
            "Luật Trật tự, an toàn giao thông đường bộ",
            "Thông tư quy định về đào tạo, sát hạch, cấp giấy phép lái xe",
            "Thông tư quy định mức thu phí, lệ phí trong lĩnh vực giao thông đường bộ",
        ],
        [
            "Người đề nghị nộp hồ sơ trực tuyến trên Cổng dịch vụ công hoặc tại Trung tâm "
            "Phục vụ hành chính công tỉnh",
            "Cán bộ kiểm tra hồ sơ, chụp ảnh người đề nghị",
            "Sở Giao thông vận tải in và cấp giấy phép lái xe mới",
            "Trả kết quả tại Trung tâm hoặc qua dịch vụ bưu chính",
        ],
        "Giấy phép lái xe (cấp đổi)",
    ),
    "1.000003": (
        "Cấp phiếu lý lịch tư pháp",
        TP,
        "Cấp tỉnh",
        "Lý lịch tư pháp",
        [
            "Tờ khai yêu cầu cấp phiếu lý lịch tư pháp theo mẫu",
            "Bản chụp căn cước công dân hoặc hộ chiếu của người được cấp phiếu",
            "Văn bản ủy quyền (nếu ủy quyền cho người khác làm thủ tục)",
        ],
        "10 ngày làm việc; trường hợp cần xác minh không quá 15 ngày",
        "Phí cung cấp thông tin lý lịch tư pháp: 200.000 đồng/lần/người; sinh viên, người có "
        "công với cách mạng: 100.000 đồng; trẻ em, người cao tuổi, người khuyết tật: miễn phí",
        [
            "Luật Lý lịch tư pháp năm 2009",
            "Nghị định quy định chi tiết thi hành Luật Lý lịch tư pháp",
            "Thông tư quy định mức thu phí cung cấp thông tin lý lịch tư pháp",
        ],
        [
            "Nộp tờ khai tại Sở Tư pháp, Trung tâm Phục vụ hành chính công hoặc trực tuyến "
            "qua ứng dụng VNeID",
            "Sở Tư pháp tra cứu, xác minh thông tin lý lịch tư pháp",
            "Cấp phiếu lý lịch tư pháp số 1 hoặc số 2 theo yêu cầu",
        ],
        "Phiếu lý lịch tư pháp (bản giấy hoặc bản điện tử)",
    ),
    "1.000005": (
        "Đăng ký thành lập doanh nghiệp",
        KH,
        "Cấp tỉnh",
        "Thành lập và hoạt động của doanh nghiệp",
        [
            "Giấy đề nghị đăng ký doanh nghiệp",
            "Điều lệ công ty",
            "Danh sách thành viên hoặc danh sách cổ đông sáng lập",
            "Bản sao giấy tờ pháp lý của cá nhân, tổ chức là thành viên, cổ đông",
        ],
        "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Lệ phí đăng ký doanh nghiệp: miễn khi nộp trực tuyến; 50.000 đồng khi nộp trực tiếp; "
        "phí công bố nội dung đăng ký doanh nghiệp: 100.000 đồng",
        [
            "Luật Doanh nghiệp năm 2020",
            "Nghị định về đăng ký doanh nghiệp",
            "Thông tư hướng dẫn về đăng ký doanh nghiệp",
        ],
        [
            "Nộp hồ sơ trên Cổng thông tin quốc gia về đăng ký doanh nghiệp",
            "Phòng Đăng ký kinh doanh xem xét tính hợp lệ của hồ sơ",
            "Cấp giấy chứng nhận đăng ký doanh nghiệp hoặc thông báo sửa đổi, bổ sung",
        ],
        "Giấy chứng nhận đăng ký doanh nghiệp",
    ),
    "1.000008": (
        "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
        KH,
        "Cấp tỉnh",
        "Thành lập và hoạt động của doanh nghiệp",
        [
            "Thông báo thay đổi nội dung đăng ký doanh nghiệp do người đại diện theo pháp luật ký",
            "Nghị quyết, quyết định và biên bản họp về việc thay đổi",
            "Giấy tờ chứng minh nội dung thay đổi (địa chỉ trụ sở, vốn điều lệ, người đại diện)",
        ],
        "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Lệ phí: 50.000 đồng/lần; miễn lệ phí khi nộp hồ sơ qua mạng điện tử",
        ["Luật Doanh nghiệp năm 2020", "Nghị định về đăng ký doanh nghiệp"],
        [
            "Nộp hồ sơ trực tuyến hoặc tại Phòng Đăng ký kinh doanh",
            "Xem xét hồ sơ và cập nhật thông tin vào Cơ sở dữ liệu quốc gia",
            "Cấp giấy chứng nhận đăng ký doanh nghiệp mới hoặc giấy xác nhận thay đổi",
        ],
        "Giấy chứng nhận đăng ký doanh nghiệp đã thay đổi",
    ),
    "1.000012": (
        "Cấp giấy chứng nhận quyền sử dụng đất cho tổ chức",
        TN,
        "Cấp tỉnh",
        "Đất đai",
        [
            "Đơn đăng ký, cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền "
            "với đất",
            "Quyết định giao đất, cho thuê đất hoặc giấy tờ về quyền sử dụng đất",
            "Sơ đồ, trích đo địa chính thửa đất",
            "Chứng từ thực hiện nghĩa vụ tài chính về đất đai",
        ],
        "20 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Lệ phí cấp giấy chứng nhận cho tổ chức: 500.000 đồng/giấy; phí thẩm định hồ sơ theo "
        "nghị quyết của Hội đồng nhân dân tỉnh",
        ["Luật Đất đai năm 2024", "Nghị định quy định về cấp giấy chứng nhận quyền sử dụng đất"],
        [
            "Tổ chức nộp hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh",
            "Văn phòng đăng ký đất đai kiểm tra hồ sơ, xác minh thực địa",
            "Sở Tài nguyên và Môi trường trình ký và cấp giấy chứng nhận",
        ],
        "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
    ),
    "1.000016": (
        "Cấp giấy phép xây dựng công trình",
        XD,
        "Cấp tỉnh",
        "Hoạt động xây dựng",
        [
            "Đơn đề nghị cấp giấy phép xây dựng theo mẫu",
            "Bản sao giấy tờ chứng minh quyền sử dụng đất",
            "Bản vẽ thiết kế xây dựng đã được thẩm định",
            "Văn bản thẩm duyệt thiết kế về phòng cháy, chữa cháy (nếu có)",
        ],
        "20 ngày kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Lệ phí cấp giấy phép xây dựng công trình: 100.000 đồng/giấy phép",
        ["Luật Xây dựng năm 2014, sửa đổi năm 2020", "Nghị định về quản lý dự án đầu tư xây dựng"],
        [
            "Chủ đầu tư nộp hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh",
            "Sở Xây dựng kiểm tra hồ sơ, thực địa và lấy ý kiến các cơ quan liên quan",
            "Cấp giấy phép xây dựng",
        ],
        "Giấy phép xây dựng",
    ),
    "1.000017": (
        "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
        YT,
        "Cấp tỉnh",
        "Khám bệnh, chữa bệnh",
        [
            "Đơn đề nghị cấp chứng chỉ hành nghề",
            "Bản sao văn bằng chuyên môn y",
            "Giấy xác nhận quá trình thực hành",
            "Giấy chứng nhận đủ sức khỏe để hành nghề",
            "Hai ảnh màu cỡ 4x6 cm",
        ],
        "30 ngày kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Phí thẩm định cấp chứng chỉ hành nghề: 360.000 đồng/hồ sơ",
        [
            "Luật Khám bệnh, chữa bệnh năm 2023",
            "Nghị định quy định chi tiết Luật Khám bệnh, chữa bệnh",
        ],
        [
            "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh hoặc trực tuyến",
            "Sở Y tế thẩm định hồ sơ, lấy ý kiến Hội đồng tư vấn",
            "Cấp chứng chỉ hành nghề",
        ],
        "Chứng chỉ hành nghề khám bệnh, chữa bệnh",
    ),
    "1.000019": (
        "Cấp giấy phép lao động cho người nước ngoài",
        LD,
        "Cấp tỉnh",
        "Việc làm",
        [
            "Văn bản đề nghị cấp giấy phép lao động của người sử dụng lao động",
            "Giấy chứng nhận sức khỏe",
            "Phiếu lý lịch tư pháp do nước ngoài hoặc Việt Nam cấp",
            "Văn bản chứng minh là nhà quản lý, chuyên gia hoặc lao động kỹ thuật",
            "Bản sao hộ chiếu còn giá trị",
            "Hai ảnh màu cỡ 4x6 cm",
        ],
        "05 ngày làm việc kể từ ngày nhận đủ hồ sơ",
        "Lệ phí cấp giấy phép lao động: 600.000 đồng/giấy phép",
        [
            "Bộ luật Lao động năm 2019",
            "Nghị định quy định về người lao động nước ngoài làm việc tại Việt Nam",
        ],
        [
            "Người sử dụng lao động nộp hồ sơ ít nhất 15 ngày trước ngày người nước ngoài bắt "
            "đầu làm việc",
            "Sở Lao động - Thương binh và Xã hội xem xét hồ sơ",
            "Cấp giấy phép lao động hoặc trả lời bằng văn bản nêu lý do không cấp",
        ],
        "Giấy phép lao động",
    ),
    "1.000020": (
        "Thẩm định báo cáo đánh giá tác động môi trường",
        TN,
        "Cấp tỉnh",
        "Môi trường",
        [
            "Văn bản đề nghị thẩm định báo cáo đánh giá tác động môi trường",
            "Báo cáo đánh giá tác động môi trường",
            "Báo cáo nghiên cứu khả thi hoặc tài liệu tương đương của dự án",
        ],
        "30 ngày kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Phí thẩm định theo tổng vốn đầu tư của dự án, theo nghị quyết của Hội đồng nhân dân tỉnh",
        ["Luật Bảo vệ môi trường năm 2020", "Nghị định quy định chi tiết Luật Bảo vệ môi trường"],
        [
            "Chủ dự án nộp hồ sơ",
            "Thành lập hội đồng thẩm định, khảo sát thực tế",
            "Ủy ban nhân dân tỉnh phê duyệt kết quả thẩm định",
        ],
        "Quyết định phê duyệt kết quả thẩm định báo cáo đánh giá tác động môi trường",
    ),
    "1.000021": (
        "Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm",
        YT,
        "Cấp tỉnh",
        "An toàn thực phẩm",
        [
            "Đơn đề nghị cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            "Bản thuyết minh về cơ sở vật chất, trang thiết bị, dụng cụ",
            "Giấy xác nhận đủ sức khỏe của chủ cơ sở và người trực tiếp chế biến",
            "Giấy xác nhận đã được tập huấn kiến thức an toàn thực phẩm",
        ],
        "20 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Phí thẩm định cơ sở kinh doanh dịch vụ ăn uống: 700.000 đồng/lần (phục vụ dưới 200 suất "
        "ăn) hoặc 1.000.000 đồng/lần (từ 200 suất ăn trở lên)",
        ["Luật An toàn thực phẩm năm 2010", "Nghị định quy định chi tiết Luật An toàn thực phẩm"],
        [
            "Cơ sở nộp hồ sơ",
            "Đoàn thẩm định kiểm tra thực tế tại cơ sở",
            "Cấp giấy chứng nhận nếu cơ sở đạt yêu cầu",
        ],
        "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm (hiệu lực 03 năm)",
    ),
    "1.000024": (
        "Cấp giấy phép kinh doanh vận tải bằng xe ô tô",
        GT,
        "Cấp tỉnh",
        "Đường bộ",
        [
            "Giấy đề nghị cấp giấy phép kinh doanh vận tải bằng xe ô tô",
            "Bản sao văn bằng, chứng chỉ của người trực tiếp điều hành hoạt động vận tải",
            "Phương án kinh doanh vận tải bằng xe ô tô",
        ],
        "05 ngày làm việc kể từ ngày nhận đủ hồ sơ",
        "Lệ phí cấp giấy phép kinh doanh vận tải: 200.000 đồng/giấy phép",
        [
            "Luật Đường bộ năm 2024",
            "Nghị định về kinh doanh và điều kiện kinh doanh vận tải bằng xe ô tô",
        ],
        [
            "Nộp hồ sơ trực tuyến hoặc tại Trung tâm Phục vụ hành chính công tỉnh",
            "Sở Giao thông vận tải thẩm định hồ sơ",
            "Cấp giấy phép kinh doanh vận tải",
        ],
        "Giấy phép kinh doanh vận tải bằng xe ô tô",
    ),
    "1.000025": (
        "Cấp lại giấy chứng nhận đăng ký doanh nghiệp",
        KH,
        "Cấp tỉnh",
        "Thành lập và hoạt động của doanh nghiệp",
        [
            "Giấy đề nghị cấp lại giấy chứng nhận đăng ký doanh nghiệp do bị mất, cháy, rách, "
            "nát hoặc bị tiêu hủy",
        ],
        "03 ngày làm việc kể từ ngày nhận được giấy đề nghị",
        "Lệ phí: 50.000 đồng/lần; miễn lệ phí khi nộp hồ sơ qua mạng điện tử",
        ["Luật Doanh nghiệp năm 2020", "Nghị định về đăng ký doanh nghiệp"],
        [
            "Doanh nghiệp gửi giấy đề nghị đến Phòng Đăng ký kinh doanh",
            "Cấp lại giấy chứng nhận đăng ký doanh nghiệp",
        ],
        "Giấy chứng nhận đăng ký doanh nghiệp (cấp lại)",
    ),
    "1.000002": (
        "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        HUYEN + " (Văn phòng đăng ký đất đai chi nhánh huyện)",
        "Cấp huyện",
        "Đất đai",
        [
            "Đơn đăng ký, cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản "
            "khác gắn liền với đất",
            "Giấy tờ về quyền sử dụng đất (nếu có)",
            "Giấy tờ về tài sản gắn liền với đất (nếu có)",
            "Chứng từ thực hiện nghĩa vụ tài chính; giấy tờ miễn, giảm nghĩa vụ tài chính (nếu có)",
            "Mảnh trích đo bản đồ địa chính thửa đất",
        ],
        "20 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ (không tính thời gian xã xác minh, "
        "niêm yết công khai)",
        "Lệ phí cấp giấy chứng nhận cho hộ gia đình, cá nhân: 100.000 đồng/giấy (khu vực thành "
        "phố), 50.000 đồng/giấy (các khu vực khác); phí đo đạc, thẩm định theo nghị quyết của "
        "Hội đồng nhân dân tỉnh",
        ["Luật Đất đai năm 2024", "Nghị định quy định về cấp giấy chứng nhận quyền sử dụng đất"],
        [
            "Người sử dụng đất nộp hồ sơ tại Bộ phận một cửa cấp huyện hoặc cấp xã",
            "Ủy ban nhân dân cấp xã xác nhận hiện trạng, nguồn gốc sử dụng đất và niêm yết công "
            "khai 15 ngày",
            "Văn phòng đăng ký đất đai kiểm tra hồ sơ, trích đo địa chính, xác định nghĩa vụ tài chính",
            "Người sử dụng đất nộp nghĩa vụ tài chính",
            "Ủy ban nhân dân cấp huyện ký cấp giấy chứng nhận",
        ],
        "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
    ),
    "1.000004": (
        "Đăng ký hộ kinh doanh",
        HUYEN + " (Phòng Tài chính - Kế hoạch)",
        "Cấp huyện",
        "Thành lập và hoạt động của hộ kinh doanh",
        [
            "Giấy đề nghị đăng ký hộ kinh doanh",
            "Bản sao giấy tờ pháp lý của chủ hộ kinh doanh và các thành viên hộ gia đình",
            "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh (nếu các "
            "thành viên cùng góp vốn)",
            "Bản sao hợp đồng thuê, mượn địa điểm kinh doanh",
        ],
        "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Lệ phí đăng ký hộ kinh doanh: 100.000 đồng/lần; miễn khi nộp trực tuyến",
        [
            "Luật Doanh nghiệp năm 2020",
            "Nghị định về đăng ký doanh nghiệp (chương về hộ kinh doanh)",
        ],
        [
            "Nộp hồ sơ tại Bộ phận một cửa cấp huyện hoặc trực tuyến",
            "Phòng Tài chính - Kế hoạch kiểm tra tính hợp lệ của hồ sơ",
            "Cấp giấy chứng nhận đăng ký hộ kinh doanh",
        ],
        "Giấy chứng nhận đăng ký hộ kinh doanh",
    ),
    "1.000006": (
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        HUYEN + " (Phòng Kinh tế và Hạ tầng)",
        "Cấp huyện",
        "Hoạt động xây dựng",
        [
            "Đơn đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ theo mẫu",
            "Bản sao giấy chứng nhận quyền sử dụng đất",
            "Hai bộ bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng, móng)",
            "Cam kết bảo đảm an toàn cho công trình liền kề (nếu có)",
        ],
        "15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ: 75.000 đồng/giấy phép (khu vực đô thị), "
        "miễn ở khu vực nông thôn",
        ["Luật Xây dựng năm 2014, sửa đổi năm 2020", "Nghị định về cấp giấy phép xây dựng"],
        [
            "Chủ nhà nộp hồ sơ tại Bộ phận một cửa cấp huyện",
            "Phòng Kinh tế và Hạ tầng kiểm tra hồ sơ và thực địa",
            "Ủy ban nhân dân cấp huyện cấp giấy phép xây dựng",
        ],
        "Giấy phép xây dựng nhà ở riêng lẻ",
    ),
    "1.000009": (
        "Đăng ký biến động đất đai",
        HUYEN + " (Văn phòng đăng ký đất đai chi nhánh huyện)",
        "Cấp huyện",
        "Đất đai",
        [
            "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất",
            "Bản gốc giấy chứng nhận đã cấp",
            "Hợp đồng chuyển nhượng, tặng cho, thừa kế quyền sử dụng đất đã công chứng hoặc chứng thực",
            "Tờ khai thuế thu nhập cá nhân và lệ phí trước bạ",
        ],
        "10 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Lệ phí đăng ký biến động: 30.000 đồng/lần; lệ phí trước bạ 0,5% giá trị chuyển nhượng",
        ["Luật Đất đai năm 2024", "Nghị định quy định về đăng ký đất đai"],
        [
            "Nộp hồ sơ tại Bộ phận một cửa",
            "Văn phòng đăng ký đất đai kiểm tra, gửi thông tin xác định nghĩa vụ tài chính",
            "Người sử dụng đất nộp thuế, lệ phí",
            "Chỉnh lý giấy chứng nhận hoặc cấp giấy chứng nhận mới",
        ],
        "Giấy chứng nhận đã chỉnh lý biến động hoặc giấy chứng nhận mới (sang tên)",
    ),
    "1.000010": (
        "Cấp giấy phép kinh doanh bán lẻ rượu",
        HUYEN + " (Phòng Kinh tế)",
        "Cấp huyện",
        "Lưu thông hàng hóa trong nước",
        [
            "Đơn đề nghị cấp giấy phép bán lẻ sản phẩm rượu",
            "Bản sao giấy chứng nhận đăng ký hộ kinh doanh hoặc doanh nghiệp",
            "Bản sao hợp đồng mua bán rượu với thương nhân sản xuất hoặc phân phối",
            "Giấy tờ chứng minh quyền sử dụng địa điểm kinh doanh",
        ],
        "10 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Phí thẩm định cấp giấy phép bán lẻ rượu: 400.000 đồng/điểm kinh doanh (khu vực thành "
        "phố), 200.000 đồng/điểm (khu vực khác)",
        ["Luật Phòng, chống tác hại của rượu, bia năm 2019", "Nghị định về kinh doanh rượu"],
        [
            "Thương nhân nộp hồ sơ tại Bộ phận một cửa cấp huyện",
            "Phòng Kinh tế thẩm định hồ sơ và kiểm tra địa điểm",
            "Cấp giấy phép bán lẻ rượu",
        ],
        "Giấy phép bán lẻ sản phẩm rượu (hiệu lực 05 năm)",
    ),
    "1.000015": (
        "Thẩm định hồ sơ chuyển mục đích sử dụng đất",
        HUYEN + " (Phòng Tài nguyên và Môi trường)",
        "Cấp huyện",
        "Đất đai",
        [
            "Đơn xin chuyển mục đích sử dụng đất",
            "Bản gốc giấy chứng nhận quyền sử dụng đất",
        ],
        "15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Tiền sử dụng đất theo bảng giá đất của tỉnh; lệ phí cấp giấy chứng nhận theo quy định",
        ["Luật Đất đai năm 2024", "Nghị định quy định về tiền sử dụng đất, tiền thuê đất"],
        [
            "Nộp hồ sơ tại Bộ phận một cửa cấp huyện",
            "Phòng Tài nguyên và Môi trường thẩm định nhu cầu, kiểm tra thực địa",
            "Ủy ban nhân dân cấp huyện quyết định cho phép chuyển mục đích sử dụng đất",
            "Người sử dụng đất nộp tiền sử dụng đất",
        ],
        "Quyết định cho phép chuyển mục đích sử dụng đất (ví dụ từ đất vườn lên đất ở)",
    ),
    "1.000018": (
        "Giải quyết trợ cấp xã hội hằng tháng",
        HUYEN + " (Phòng Lao động - Thương binh và Xã hội)",
        "Cấp huyện",
        "Bảo trợ xã hội",
        [
            "Tờ khai đề nghị trợ giúp xã hội theo mẫu",
            "Bản sao giấy xác nhận khuyết tật (đối với người khuyết tật)",
            "Bản sao giấy khai sinh (đối với trẻ em)",
        ],
        "Ủy ban nhân dân cấp xã xét duyệt trong 10 ngày làm việc; Ủy ban nhân dân cấp huyện "
        "quyết định trong 07 ngày làm việc",
        "Không thu phí, lệ phí",
        ["Nghị định quy định chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội"],
        [
            "Đối tượng hoặc người giám hộ nộp tờ khai tại Ủy ban nhân dân cấp xã",
            "Hội đồng xét duyệt cấp xã họp, niêm yết công khai",
            "Phòng Lao động - Thương binh và Xã hội thẩm định, trình Chủ tịch Ủy ban nhân dân "
            "cấp huyện quyết định",
        ],
        "Quyết định trợ cấp xã hội hằng tháng (người cao tuổi, người khuyết tật, trẻ em mồ côi)",
    ),
    "1.000022": (
        "Cấp giấy chứng nhận đủ điều kiện kinh doanh",
        HUYEN + " (Phòng Kinh tế)",
        "Cấp huyện",
        "Lưu thông hàng hóa trong nước",
        [
            "Đơn đề nghị cấp giấy chứng nhận đủ điều kiện kinh doanh",
            "Bản sao giấy chứng nhận đăng ký kinh doanh",
            "Tài liệu chứng minh đáp ứng điều kiện về cơ sở vật chất, phòng cháy chữa cháy",
        ],
        "15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Phí thẩm định theo ngành nghề kinh doanh có điều kiện",
        ["Luật Đầu tư năm 2020 (danh mục ngành nghề kinh doanh có điều kiện)"],
        [
            "Nộp hồ sơ tại Bộ phận một cửa cấp huyện",
            "Kiểm tra thực tế điều kiện kinh doanh",
            "Cấp giấy chứng nhận",
        ],
        "Giấy chứng nhận đủ điều kiện kinh doanh",
    ),
    "1.000026": (
        "Đăng ký thay đổi hộ kinh doanh",
        HUYEN + " (Phòng Tài chính - Kế hoạch)",
        "Cấp huyện",
        "Thành lập và hoạt động của hộ kinh doanh",
        [
            "Thông báo thay đổi nội dung đăng ký hộ kinh doanh",
            "Bản gốc giấy chứng nhận đăng ký hộ kinh doanh đã cấp",
            "Giấy tờ liên quan đến nội dung thay đổi (địa điểm, ngành nghề, chủ hộ)",
        ],
        "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Lệ phí: 50.000 đồng/lần; miễn khi nộp trực tuyến",
        ["Nghị định về đăng ký doanh nghiệp (chương về hộ kinh doanh)"],
        [
            "Chủ hộ kinh doanh nộp hồ sơ",
            "Phòng Tài chính - Kế hoạch kiểm tra hồ sơ",
            "Cấp giấy chứng nhận đăng ký hộ kinh doanh mới",
        ],
        "Giấy chứng nhận đăng ký hộ kinh doanh (thay đổi)",
    ),
    "1.000027": (
        "Chứng thực hợp đồng, giao dịch",
        HUYEN + " (Phòng Tư pháp)",
        "Cấp huyện",
        "Chứng thực",
        [
            "Dự thảo hợp đồng, giao dịch",
            "Bản sao giấy tờ tùy thân của người yêu cầu chứng thực",
            "Bản sao giấy chứng nhận quyền sở hữu, quyền sử dụng tài sản (nếu hợp đồng liên quan "
            "đến tài sản đó)",
        ],
        "02 ngày làm việc; có thể kéo dài đối với hợp đồng phức tạp",
        "Phí chứng thực hợp đồng, giao dịch: 50.000 đồng/hợp đồng; sửa đổi, bổ sung: 30.000 đồng",
        ["Nghị định về cấp bản sao từ sổ gốc, chứng thực bản sao, chứng thực chữ ký và hợp đồng"],
        [
            "Người yêu cầu nộp hồ sơ và ký trước mặt người thực hiện chứng thực",
            "Người thực hiện chứng thực kiểm tra và ghi lời chứng",
        ],
        "Hợp đồng, giao dịch đã được chứng thực",
    ),
    "1.000007": (
        "Đăng ký khai sinh",
        XA,
        "Cấp xã",
        "Hộ tịch",
        [
            "Tờ khai đăng ký khai sinh theo mẫu",
            "Giấy chứng sinh do cơ sở y tế cấp; không có thì văn bản của người làm chứng",
            "Giấy chứng nhận kết hôn của cha mẹ (nếu cha mẹ đã đăng ký kết hôn)",
            CMND,
        ],
        "Ngay trong ngày tiếp nhận hồ sơ; nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo",
        "Miễn lệ phí đăng ký khai sinh đúng hạn; đăng ký khai sinh quá hạn: miễn hoặc theo "
        "nghị quyết của Hội đồng nhân dân tỉnh",
        [
            "Luật Hộ tịch năm 2014",
            "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch",
            "Thông tư quy định chi tiết thi hành Luật Hộ tịch",
        ],
        [
            "Cha, mẹ hoặc người thân nộp hồ sơ tại Ủy ban nhân dân cấp xã nơi cư trú của cha "
            "hoặc mẹ trong 60 ngày kể từ ngày sinh, hoặc trực tuyến",
            "Công chức tư pháp - hộ tịch kiểm tra, ghi vào Sổ hộ tịch và cập nhật số định danh "
            "cá nhân cho trẻ",
            "Chủ tịch Ủy ban nhân dân cấp xã ký giấy khai sinh",
        ],
        "Giấy khai sinh (bản chính) và số định danh cá nhân của trẻ",
    ),
    "1.000011": (
        "Chứng thực bản sao từ bản chính",
        XA,
        "Cấp xã",
        "Chứng thực",
        [
            "Bản chính giấy tờ, văn bản cần chứng thực bản sao",
            "Bản sao cần chứng thực (nếu người yêu cầu tự photo)",
        ],
        "Trong ngày tiếp nhận; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo",
        "Phí chứng thực bản sao từ bản chính: 2.000 đồng/trang; từ trang thứ ba trở lên 1.000 "
        "đồng/trang, tối đa 200.000 đồng/bản",
        ["Nghị định về cấp bản sao từ sổ gốc, chứng thực bản sao, chứng thực chữ ký và hợp đồng"],
        [
            "Người yêu cầu xuất trình bản chính và bản sao",
            "Người thực hiện chứng thực đối chiếu bản sao với bản chính",
            "Ghi lời chứng, ký, đóng dấu",
        ],
        "Bản sao được chứng thực từ bản chính",
    ),
    "1.000013": (
        "Đăng ký kết hôn",
        XA,
        "Cấp xã",
        "Hộ tịch",
        [
            "Tờ khai đăng ký kết hôn theo mẫu (hai bên nam, nữ)",
            "Giấy xác nhận tình trạng hôn nhân (nếu đăng ký ở nơi không phải nơi thường trú)",
            CMND,
        ],
        "Ngay trong ngày tiếp nhận; cần xác minh thì không quá 05 ngày làm việc",
        "Miễn lệ phí đăng ký kết hôn giữa công dân Việt Nam cư trú trong nước",
        ["Luật Hôn nhân và gia đình năm 2014", "Luật Hộ tịch năm 2014"],
        [
            "Hai bên nam, nữ nộp tờ khai tại Ủy ban nhân dân cấp xã nơi cư trú của một trong hai bên",
            "Công chức tư pháp - hộ tịch kiểm tra điều kiện kết hôn",
            "Hai bên cùng có mặt, ký vào Sổ hộ tịch và giấy chứng nhận kết hôn",
        ],
        "Giấy chứng nhận kết hôn (mỗi bên một bản chính)",
    ),
    "1.000014": (
        "Đăng ký khai tử",
        XA,
        "Cấp xã",
        "Hộ tịch",
        [
            "Tờ khai đăng ký khai tử theo mẫu",
            "Giấy báo tử hoặc giấy tờ thay giấy báo tử do cơ quan có thẩm quyền cấp",
            CMND,
        ],
        "Ngay trong ngày tiếp nhận; cần xác minh thì không quá 03 ngày làm việc",
        "Miễn lệ phí đăng ký khai tử đúng hạn",
        ["Luật Hộ tịch năm 2014", "Nghị định quy định chi tiết Luật Hộ tịch"],
        [
            "Người thân nộp hồ sơ trong 15 ngày kể từ ngày người đó chết (qua đời)",
            "Công chức tư pháp - hộ tịch ghi vào Sổ hộ tịch",
            "Cấp trích lục khai tử",
        ],
        "Trích lục khai tử",
    ),
    "1.000023": (
        "Cấp giấy xác nhận tình trạng hôn nhân",
        XA,
        "Cấp xã",
        "Hộ tịch",
        [
            "Tờ khai cấp giấy xác nhận tình trạng hôn nhân theo mẫu",
            "Giấy tờ chứng minh đã ly hôn hoặc người vợ, chồng đã chết (nếu có)",
            CMND,
        ],
        "03 ngày làm việc; cần xác minh thì không quá 23 ngày",
        "Lệ phí theo nghị quyết của Hội đồng nhân dân tỉnh; miễn cho người thuộc hộ nghèo",
        ["Luật Hộ tịch năm 2014", "Nghị định quy định chi tiết Luật Hộ tịch"],
        [
            "Nộp tờ khai tại Ủy ban nhân dân cấp xã nơi thường trú",
            "Công chức tư pháp - hộ tịch kiểm tra, xác minh tình trạng hôn nhân",
            "Cấp giấy xác nhận (độc thân, đã ly hôn...) có giá trị 06 tháng",
        ],
        "Giấy xác nhận tình trạng hôn nhân",
    ),
    "1.000048": (
        "Xác nhận hộ nghèo, hộ cận nghèo",
        XA,
        "Cấp xã",
        "Bảo trợ xã hội",
        [
            "Giấy đề nghị rà soát, xác nhận hộ nghèo, hộ cận nghèo theo mẫu",
            "Phiếu khảo sát thu nhập và mức độ thiếu hụt dịch vụ xã hội cơ bản",
        ],
        "15 ngày làm việc kể từ ngày nhận giấy đề nghị",
        "Không thu phí, lệ phí",
        [
            "Nghị định quy định chuẩn nghèo đa chiều",
            "Quyết định về quy trình rà soát hộ nghèo, hộ cận nghèo",
        ],
        [
            "Hộ gia đình nộp giấy đề nghị tại Ủy ban nhân dân cấp xã",
            "Rà soát, đánh giá thu nhập và mức thiếu hụt dịch vụ",
            "Niêm yết công khai và Chủ tịch Ủy ban nhân dân cấp xã công nhận",
        ],
        "Giấy chứng nhận hộ nghèo, hộ cận nghèo",
    ),
    "1.000049": (
        "Đăng ký nhận cha, mẹ, con",
        XA,
        "Cấp xã",
        "Hộ tịch",
        [
            "Tờ khai đăng ký nhận cha, mẹ, con theo mẫu",
            "Chứng cứ chứng minh quan hệ cha, mẹ, con (văn bản giám định ADN hoặc giấy tờ khác)",
            CMND,
        ],
        "03 ngày làm việc; cần xác minh thì không quá 08 ngày làm việc",
        "Lệ phí theo nghị quyết của Hội đồng nhân dân tỉnh",
        ["Luật Hộ tịch năm 2014", "Thông tư quy định chi tiết thi hành Luật Hộ tịch"],
        [
            "Người nhận và người được nhận có mặt nộp hồ sơ",
            "Niêm yết công khai 07 ngày tại trụ sở Ủy ban nhân dân cấp xã",
            "Ghi vào Sổ hộ tịch, cấp trích lục",
        ],
        "Trích lục đăng ký nhận cha, mẹ, con",
    ),
    "1.000055": (
        "Trích lục hộ tịch",
        XA,
        "Cấp xã",
        "Hộ tịch",
        [
            "Tờ khai cấp bản sao trích lục hộ tịch theo mẫu",
            "Văn bản ủy quyền (nếu người khác đi làm thay)",
        ],
        "Ngay trong ngày tiếp nhận",
        "Lệ phí cấp bản sao trích lục hộ tịch: 8.000 đồng/bản sao",
        ["Luật Hộ tịch năm 2014", "Thông tư quy định phí, lệ phí hộ tịch"],
        [
            "Nộp tờ khai tại Ủy ban nhân dân cấp xã nơi đã đăng ký hộ tịch",
            "Tra cứu Sổ hộ tịch hoặc Cơ sở dữ liệu hộ tịch điện tử",
            "Cấp bản sao trích lục (bản sao giấy khai sinh, trích lục kết hôn...)",
        ],
        "Bản sao trích lục hộ tịch",
    ),
    "1.000028": (
        "Chứng thực chữ ký",
        XA,
        "Cấp xã",
        "Chứng thực",
        [
            "Giấy tờ, văn bản cần chứng thực chữ ký",
            CMND,
        ],
        "Trong ngày tiếp nhận; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo",
        "Phí chứng thực chữ ký: 10.000 đồng/trường hợp",
        ["Nghị định về cấp bản sao từ sổ gốc, chứng thực bản sao, chứng thực chữ ký và hợp đồng"],
        [
            "Người yêu cầu ký trước mặt người thực hiện chứng thực",
            "Người thực hiện chứng thực ghi lời chứng, ký, đóng dấu",
        ],
        "Giấy tờ, văn bản đã được chứng thực chữ ký",
    ),
    "1.000038": (
        "Đăng ký thường trú",
        "Công an cấp xã",
        "Cấp xã",
        "Đăng ký, quản lý cư trú",
        [
            "Tờ khai thay đổi thông tin cư trú",
            "Giấy tờ chứng minh chỗ ở hợp pháp (giấy chứng nhận quyền sở hữu nhà, hợp đồng thuê)",
            "Văn bản đồng ý của chủ hộ, chủ sở hữu chỗ ở (nếu nhập vào hộ khác)",
        ],
        "07 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Lệ phí đăng ký thường trú: 20.000 đồng/lần; nộp trực tuyến 10.000 đồng/lần",
        ["Luật Cư trú năm 2020", "Nghị định quy định chi tiết Luật Cư trú"],
        [
            "Nộp hồ sơ tại Công an cấp xã hoặc trên Cổng dịch vụ công, ứng dụng VNeID",
            "Công an kiểm tra, cập nhật thông tin vào Cơ sở dữ liệu về cư trú",
            "Thông báo kết quả đăng ký thường trú",
        ],
        "Thông tin thường trú được cập nhật trong Cơ sở dữ liệu quốc gia về dân cư",
    ),
}

AGENCY_BY_TIER = {
    "province": ("Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn", "Cấp tỉnh"),
    "district": (HUYEN, "Cấp huyện"),
    "commune": (XA, "Cấp xã"),
}

# guide documents: (file name, scope, content). Names start with the procedure code.
GUIDES: list[tuple[str, str, str]] = [
    (
        "1.000007-huong-dan-dang-ky-khai-sinh.html",
        "",
        """<html><head><title>Hướng dẫn đăng ký khai sinh</title></head><body>
<h1>Hướng dẫn đăng ký khai sinh cho trẻ em</h1>
<p>Mã thủ tục: 1.000007. Tài liệu hướng dẫn nghiệp vụ cho công chức tư pháp - hộ tịch
cấp xã tỉnh Lạng Sơn (bản demo).</p>
<h2>Thời hạn đi đăng ký</h2>
<p>Trong thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đi đăng ký khai
sinh cho con; nếu cha, mẹ không thể đi thì ông, bà hoặc người thân thích khác đi đăng ký.
Quá 60 ngày vẫn tiếp nhận, không xử phạt đối với người dân tự nguyện đi đăng ký.</p>
<h2>Trường hợp không có giấy chứng sinh</h2>
<p>Trẻ sinh tại nhà, không có giấy chứng sinh: người đi đăng ký nộp văn bản xác nhận của
người làm chứng về việc sinh; không có người làm chứng thì phải có giấy cam đoan về việc
sinh là có thực.</p>
<h2>Đăng ký trực tuyến</h2>
<p>Người dân có thể nộp hồ sơ liên thông đăng ký khai sinh, đăng ký thường trú và cấp thẻ
bảo hiểm y tế cho trẻ dưới 6 tuổi trên Cổng dịch vụ công quốc gia; kết quả giấy khai sinh
điện tử được gửi vào kho dữ liệu của người dân.</p>
</body></html>""",
    ),
    (
        "1.000002-huong-dan-cap-giay-chung-nhan-lan-dau.txt",
        "",
        """HƯỚNG DẪN CẤP GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT LẦN ĐẦU
Mã thủ tục: 1.000002

1. Đối tượng
Hộ gia đình, cá nhân đang sử dụng đất ổn định, không có tranh chấp, chưa được cấp giấy
chứng nhận (sổ đỏ) lần nào.

2. Nơi nộp hồ sơ
Bộ phận một cửa của Ủy ban nhân dân cấp huyện hoặc Ủy ban nhân dân cấp xã nơi có đất.
Tại Lạng Sơn, hồ sơ có thể nộp trực tuyến trên Cổng dịch vụ công của tỉnh.

3. Lưu ý khi tiếp nhận
Kiểm tra mảnh trích đo địa chính có chữ ký của các hộ liền kề; đất có nguồn gốc khai
hoang cần biên bản xác minh của thôn, bản. Thời gian niêm yết công khai tại xã là 15 ngày
và không tính vào thời hạn giải quyết.

4. Những lỗi hay gặp khiến hồ sơ bị trả lại
Thiếu chữ ký xác nhận ranh giới của hộ liền kề; diện tích trên đơn khác mảnh trích đo;
chưa nộp chứng từ nghĩa vụ tài chính.
""",
    ),
    (
        "1.000004-luu-y-noi-bo-ho-kinh-doanh-cao-loc.txt",
        "20-D05",
        """LƯU Ý NỘI BỘ: TIẾP NHẬN HỒ SƠ ĐĂNG KÝ HỘ KINH DOANH TẠI HUYỆN CAO LỘC
Mã thủ tục: 1.000004

1. Khu vực cửa khẩu
Hộ kinh doanh tại khu vực cửa khẩu Tân Thanh và Cốc Nam cần đối chiếu danh mục ngành nghề
được phép kinh doanh trong khu kinh tế cửa khẩu trước khi cấp giấy chứng nhận.

2. Phối hợp với Chi cục Thuế
Sau khi cấp giấy chứng nhận đăng ký hộ kinh doanh, gửi thông tin sang Chi cục Thuế khu
vực trong ngày làm việc để cấp mã số thuế hộ kinh doanh.
""",
    ),
    (
        "1.000005-so-tay-dang-ky-doanh-nghiep.txt",
        "",
        """SỔ TAY ĐĂNG KÝ THÀNH LẬP DOANH NGHIỆP
Mã thủ tục: 1.000005

1. Chọn loại hình doanh nghiệp
Công ty trách nhiệm hữu hạn một thành viên, công ty trách nhiệm hữu hạn hai thành viên
trở lên, công ty cổ phần, công ty hợp danh hoặc doanh nghiệp tư nhân.

2. Đặt tên doanh nghiệp
Tên không được trùng hoặc gây nhầm lẫn với tên doanh nghiệp đã đăng ký; tra cứu tên trên
Cổng thông tin quốc gia về đăng ký doanh nghiệp trước khi nộp hồ sơ.

3. Sau khi được cấp giấy chứng nhận
Doanh nghiệp khắc dấu, mở tài khoản ngân hàng, treo biển hiệu, đăng ký chữ ký số và kê
khai thuế ban đầu; nộp lệ phí môn bài trước ngày 30 tháng 1 năm sau.
""",
    ),
]
